// One attempt of an exchange against one endpoint, up to its response head: lease a pooled
// connection or connect, send the head and the body held so far, start the body pump when the
// body goes on, read the head (forwarding 1xx to the client). Nothing of the final response
// reaches the client here, so the exchange can still retry; it never decides that itself.
#pragma once

#include <cstddef>
#include <memory>

#include <asio/ip/tcp.hpp>

#include "gateway/proxy/exchange.hpp"
#include "gateway/proxy/retry_decision.hpp"
#include "gateway/proxy/upstream_connection.hpp"
#include "net/async.hpp"

namespace flotilla::gateway {

struct HeadOutcome {
  AttemptEnd end;  // for decide()
  // With end.head: the connection, its parser holding the head; `head_size` bytes of its buffer.
  // Also set after a failure while the body pump may still write to it.
  std::unique_ptr<UpstreamConnection> connection;
  std::size_t head_size = 0;
  bool client_gone = false;  // the client left while we waited (nothing to answer)
};

// `endpoint` by value: a snapshot installed while the attempt waits may renumber the upstream's
// address list (a reference into it would then name another endpoint, and a retry on a fresh
// connection would go there).
net::Awaitable<HeadOutcome> obtain_head(Exchange& exchange, asio::ip::tcp::endpoint endpoint);

// Waits until the body pump (if one runs) has ended; `stop` first closes its upstream
// connection and stops its wait for the client, for an exchange that gives up.
net::Awaitable<void> finish_pump(Exchange& exchange, bool stop);

}  // namespace flotilla::gateway
