// `flotilla history` as text: the revisions of a service, oldest first, the current one
// marked with '*'. Pure; tolerant of missing or null fields.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flotilla::app {

std::string render_history(const nlohmann::json& revisions);

}  // namespace flotilla::app
