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

// How the exchange steers one try, and how it can stop it: a hedged request runs two tries at
// once, each with its own control (the endpoint index for TLS names and sessions, the head
// deadline), and the loser is cancelled by closing its connection.
struct TryControl {
  std::uint32_t endpoint_index = 0;
  // The try's whole wait for its response head (a per-try timeout); zero: the route's read
  // timeout between reads, as without one.
  Millis head_timeout{0};
  bool watch_client = true;  // this try watches the client's presence and forwards 1xx heads
  UpstreamConnection* live = nullptr;  // the connection the try holds now (set by obtain_head)
  bool cancelled = false;
  bool per_try_timed_out = false;  // out: ended by head_timeout
  // Set by obtain_head from head_timeout when the try starts: bounds its connect too (a frozen
  // endpoint's full accept queue drops SYNs, and the connect timeout is the route's).
  std::chrono::steady_clock::time_point deadline{};

  // The per-try deadline is kept by someone else (a HedgedTry), who calls time_out(): the
  // connect still bounds itself by `deadline`, the reads do not.
  bool deadline_by_queue = false;

  // Stops the try: its connection is closed (never pooled), obtain_head returns without a head.
  void cancel();
  // The per-try deadline passed: the same, but the try ends as a per-try timeout.
  void time_out();
};

net::Awaitable<HeadOutcome> obtain_head(Exchange& exchange, asio::ip::tcp::endpoint endpoint,
                                        TryControl& control);

// `endpoint` by value: a snapshot installed while the attempt waits may renumber the upstream's
// address list (a reference into it would then name another endpoint, and a retry on a fresh
// connection would go there).
net::Awaitable<HeadOutcome> obtain_head(Exchange& exchange, asio::ip::tcp::endpoint endpoint);

// Waits until the body pump (if one runs) has ended; `stop` first closes its upstream
// connection and stops its wait for the client, for an exchange that gives up.
net::Awaitable<void> finish_pump(Exchange& exchange, bool stop);

}  // namespace flotilla::gateway
