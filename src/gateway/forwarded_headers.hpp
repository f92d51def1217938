// The header lines a proxy adds to a forwarded request: Via, X-Forwarded-For/-Proto/-Host,
// X-Real-IP and X-Request-Id (the request's id, see pipeline/request_context.hpp). Writes into a
// caller-owned string reused across requests; never allocates once warmed up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace flotilla::gateway {

// The headers this file sets. A client's `X_Real_IP` or `X_Forwarded_For` must not reach an
// upstream that reads `_` as `-` (CGI, WSGI, PHP): the head writer drops such aliases of these.
inline constexpr std::uint64_t kForwardingHeaders =
    http::header_bit(http::HeaderId::kXForwardedFor) |
    http::header_bit(http::HeaderId::kXForwardedProto) |
    http::header_bit(http::HeaderId::kXForwardedHost) | http::header_bit(http::HeaderId::kXRealIp) |
    http::header_bit(http::HeaderId::kXRequestId) | http::header_bit(http::HeaderId::kVia);

struct ForwardedInfo {
  std::string_view client_ip;  // X-Real-IP: the client (after trusted proxies)
  bool tls = false;
  std::string_view peer_ip;  // appended to X-Forwarded-For: the hop we saw (empty: client_ip)
};

// Appends the lines (each ending in CRLF) to `out`; returns the header_bit()s to drop from the
// received head (the proxy sets those itself).
std::uint64_t write_forwarded_headers(const http::RequestHead& head, const ForwardedInfo& info,
                                      std::string_view request_id, std::string& out);

}  // namespace flotilla::gateway
