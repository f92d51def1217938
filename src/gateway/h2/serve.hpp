// Where the HTTP/1 connection hands a client over to the HTTP/2 codec: after ALPN chose "h2" on
// a TLS listener, or when the h2c connection preface arrived on a plain one with `http2: true`.
// Kept apart from session.hpp so that h1/ includes no nghttp2 header.
#pragma once

#include <cstdint>
#include <string_view>

#include "net/async.hpp"

namespace flotilla::gateway {

class Worker;
class Downstream;

// Runs the HTTP/2 connection to its end on the caller's coroutine: `received` are bytes already
// read from the client (the preface, and what followed it).
net::Awaitable<void> serve_http2(Worker& worker, Downstream& downstream,
                                 std::uint32_t listener_index, std::string_view client_ip,
                                 std::string_view received);

}  // namespace flotilla::gateway
