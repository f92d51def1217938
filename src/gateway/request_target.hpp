// Small pure helpers over a parsed request: its path (for routing) and method properties.
#pragma once

#include <string_view>

#include "http/message.hpp"

namespace flotilla::gateway {

// The path of the target without the query: "/a/b" for "/a/b?x", "http://h/a?x" and "*".
std::string_view request_path(const http::RequestHead& head) noexcept;

// RFC 9110 §9.2.2: a request may be repeated without changing the outcome.
bool is_idempotent(http::Method method) noexcept;

}  // namespace flotilla::gateway
