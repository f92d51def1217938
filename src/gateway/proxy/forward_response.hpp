// The second half of an attempt, once the exchange chose its response: the response-head stages,
// then the head and the body streamed to the client through the sink with back-pressure (one
// buffer in flight: read → write → read), decoded from the upstream's framing and framed again
// by the sink; or, after a 101, the tunnel. Never retries: the client has seen the response.
#pragma once

#include "gateway/proxy/attempt.hpp"
#include "gateway/proxy/exchange.hpp"
#include "net/async.hpp"

namespace flotilla::gateway {

struct ForwardEnd {
  bool complete = false;  // the whole response reached the client
  bool reusable = false;  // the upstream connection may go back to the pool
  // The attempt's outcome for passive health when the upstream broke mid-body.
  upstream::OutcomeKind broke = upstream::OutcomeKind::response;
  bool client_closed = false;  // the client went away (or timed out) mid-response
  // Nothing was written yet and the upstream's body framing was broken from its first byte:
  // as bad as a broken head (the exchange may still retry or answer 502).
  bool invalid_before_start = false;
};

net::Awaitable<ForwardEnd> forward_response(Exchange& exchange, HeadOutcome& attempt, bool tunnel);

}  // namespace flotilla::gateway
