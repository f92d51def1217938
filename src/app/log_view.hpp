// One line of `flotilla logs` as text: "2024-05-01 12:00:01 web/2 | the line" (stderr lines
// marked "web/2 !"). Pure.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace flotilla::app {

std::string format_log_line(std::string_view service, const nlohmann::json& line);

}  // namespace flotilla::app
