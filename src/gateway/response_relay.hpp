// Reads the upstream's response head (skipping interim 1xx), lets the retry policy drop a
// retryable status, then forwards the head and streams the body to the client with back-pressure,
// re-framing only for HTTP/1.0 clients; hands upgraded connections to the tunnel.
#pragma once

#include <asio/awaitable.hpp>

#include "net/async.hpp"
#include "gateway/exchange.hpp"
#include "gateway/upstream_connection.hpp"

namespace flotilla::gateway {

// `reusable` is set when the upstream connection ended the response cleanly and may go back to
// the pool.
net::Awaitable<AttemptResult> relay_response(Exchange& exchange, UpstreamConnection& connection,
                                        bool& reusable);

}  // namespace flotilla::gateway
