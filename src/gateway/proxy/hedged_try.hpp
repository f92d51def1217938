// One try of an exchange on one endpoint, and the hedged form of it: a second try on another
// endpoint when the first has no response head after the hedge delay; the first head wins, the
// other try is cancelled and its connection closed. Never decides whether to retry (decide()).
#pragma once

#include <cstdint>
#include <string_view>

#include <asio/ip/tcp.hpp>

#include "gateway/proxy/attempt.hpp"
#include "gateway/proxy/exchange.hpp"
#include "gateway/proxy/retry_decision.hpp"
#include "net/async.hpp"
#include "upstream/endpoint_state.hpp"
#include "upstream/tried_set.hpp"

namespace flotilla::gateway {

// What the exchange needs to account for one try once it ends.
struct TryRun {
  upstream::EndpointTicket ticket;
  std::uint32_t endpoint_series = 0;
  std::uint64_t crash_key = 0;  // the endpoint as the CrashLedger knows it
  asio::ip::tcp::endpoint address;
  TryControl control;
};

// Starts a try on endpoint `index` of the exchange's upstream: in-flight counted, tried, the
// endpoint resolved now (a snapshot installed during the try may renumber the endpoints).
TryRun start_try(Exchange& exchange, std::size_t index, upstream::TriedSet& tried);

// Runs `run`, and a hedge after `delay` when decide_hedge allows one then (`request`: the
// request's state at the start; `hash_key` for the balancer). Returns the winning try's outcome
// and leaves `run` describing the winner; the loser is accounted for (abandoned, not a failure)
// and its connection closed. A hedge that failed while the first try had no head either is
// accounted as the failure it was.
net::Awaitable<HeadOutcome> obtain_head_hedged(Exchange& exchange, TryRun& run,
                                               upstream::TriedSet& tried, Millis delay,
                                               const RetryState& request,
                                               std::string_view hash_key);

}  // namespace flotilla::gateway
