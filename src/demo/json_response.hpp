// Builds the demo's JSON replies. Must never throw on odd input (headers may hold invalid UTF-8).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "demo/reply.hpp"

namespace flotilla::demo {

// `body` serialised compactly; invalid UTF-8 in strings is replaced, never thrown about.
Reply json_reply(int status, const nlohmann::json& body);

// {"error": message, "status": status}
Reply json_error(int status, std::string_view message);

}  // namespace flotilla::demo
