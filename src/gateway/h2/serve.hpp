// Where the HTTP/1 connection hands a client over to the HTTP/2 codec: after ALPN chose "h2" on
// a TLS listener, or when the h2c connection preface (or an `Upgrade: h2c` request) arrived on a
// plain one with `http2: true`.
// Kept apart from session.hpp so that h1/ includes no nghttp2 header.
#pragma once

#include <cstdint>
#include <string_view>

#include "net/async.hpp"

namespace flotilla::gateway {

class Worker;
class Downstream;

// An HTTP/1.1 request that switched the connection to h2c (RFC 7540 §3.2): it is stream 1.
struct H2cUpgrade {
  std::string_view settings;  // the decoded HTTP2-Settings payload
  std::string_view head;      // the request's head, without its upgrade fields
  bool head_request = false;  // HEAD (nghttp2 then expects no response body)
};

// Runs the HTTP/2 connection to its end on the caller's coroutine: `received` are bytes already
// read from the client (the preface, and what followed it).
net::Awaitable<void> serve_http2(Worker& worker, Downstream& downstream,
                                 std::uint32_t listener_index, std::string_view client_ip,
                                 std::string_view received, const H2cUpgrade* upgrade = nullptr);

}  // namespace flotilla::gateway
