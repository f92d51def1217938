// Copies the rest of a request body (what was not held with the head) from the client to the
// upstream, decoded from the client's framing and re-encoded canonically (raw bytes for a
// Content-Length body, minimal chunks and a last chunk for a chunked one, with the trailers the
// body kept: RequestBody::trailers()). Runs beside the attempt's response read; never writes to
// the client.
#pragma once

#include "gateway/proxy/exchange.hpp"
#include "gateway/proxy/upstream_connection.hpp"
#include "net/async.hpp"

namespace flotilla::gateway {

// True when the whole body reached the upstream. On a broken client body the upstream
// connection is closed (a half-sent request must not reach the app) and the pump's
// client_error says what to answer.
net::Awaitable<bool> pump_request_body(Exchange& exchange, UpstreamConnection& connection);

}  // namespace flotilla::gateway
