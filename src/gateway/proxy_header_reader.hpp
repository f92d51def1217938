// Reads a PROXY protocol header (net/proxy_protocol.hpp) off a freshly accepted socket, before
// TLS or any HTTP: exact reads where the length is known, and for v1 a peek up to the CRLF, so
// not one byte past the header leaves the kernel (the TLS engine or the HTTP codec reads the
// rest as if the header had never been there). Bounded by the caller's read deadline.
#pragma once

#include "net/async.hpp"
#include "net/proxy_protocol.hpp"
#include "net/socket.hpp"

namespace flotilla::gateway {

// kDone with the header's facts, or kInvalid (malformed, closed early, or the deadline closed
// the socket: `problem` says which).
net::Awaitable<net::ProxyHeader> read_proxy_header(net::Socket& socket);

}  // namespace flotilla::gateway
