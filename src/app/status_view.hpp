// `flotilla status` as text: the GET /api/v1/status JSON turned into aligned tables (services,
// instances, upstream endpoints, listeners, alerts). Pure; tolerant of missing or null fields.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flotilla::app {

std::string render_status(const nlohmann::json& status);

}  // namespace flotilla::app
