// Small pure helpers over a parsed request: its path (for routing) and method properties.
#pragma once

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace flotilla::gateway {

// The path of the target without the query: "/a/b" for "/a/b?x", "http://h/a?x" and "*".
std::string_view request_path(const http::RequestHead& head) noexcept;

// RFC 9112 §3.2.2: an absolute-form target as the origin-form an upstream expects (path and
// query; "/" when the path is empty). A view into the target, or into `scratch` when a "/" had
// to be added. Other forms are returned as they are.
std::string_view origin_form(const http::RequestHead& head, std::string& scratch);

// RFC 9110 §9.2.2: a request may be repeated without changing the outcome.
bool is_idempotent(http::Method method) noexcept;

}  // namespace flotilla::gateway
