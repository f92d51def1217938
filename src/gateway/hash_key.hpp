// The key hash-based balancing spreads on: the client IP, a header's value or a cookie's value,
// as a view into the request (or the session's address). Empty for policies that use no key.
#pragma once

#include <string_view>

#include "http/message.hpp"
#include "upstream/snapshot.hpp"

namespace flotilla::gateway {

std::string_view hash_key(const http::RequestHead& head, const upstream::UpstreamSpec& spec,
                          std::string_view client_ip) noexcept;

// The value of cookie `name` in a Cookie header value ("a=1; b=2"), or empty.
std::string_view find_cookie(std::string_view cookie_header, std::string_view name) noexcept;

}  // namespace flotilla::gateway
