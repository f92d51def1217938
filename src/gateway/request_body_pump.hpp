// Streams the part of a request body that did not fit in the first read from the client to the
// upstream, validating its framing as it goes, with back-pressure (one buffer in flight). Leaves
// any pipelined bytes that follow the body at the front of the client buffer.
#pragma once

#include <asio/awaitable.hpp>

#include "net/async.hpp"
#include "gateway/exchange.hpp"
#include "gateway/upstream_connection.hpp"

namespace flotilla::gateway {

// True when the whole body went upstream. On a bad body it records the status to answer in
// exchange.body_error and closes the upstream connection.
net::Awaitable<bool> pump_request_body(Exchange& exchange, UpstreamConnection& connection);

}  // namespace flotilla::gateway
