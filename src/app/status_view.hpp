// `flotilla status` as text: the GET /api/v1/status JSON turned into aligned tables (services,
// instances, upstream endpoints, listeners, alerts). Pure; tolerant of missing or null fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace flotilla::app {

std::string render_status(const nlohmann::json& status);

// The status document cut down to one service: its entry, the upstreams routing to it and its
// alerts (no listeners). nullopt when there is no such service.
std::optional<nlohmann::json> service_status(const nlohmann::json& status,
                                             std::string_view service);

}  // namespace flotilla::app
