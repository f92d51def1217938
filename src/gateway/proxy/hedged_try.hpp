// One try of an exchange on one endpoint, and the hedge beside it: a second try on another
// endpoint when the first has no response head after the hedge delay; the first head wins, the
// other try is cancelled and its connection closed. Never decides whether to retry (decide()).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include <asio/ip/tcp.hpp>

#include "gateway/proxy/attempt.hpp"
#include "gateway/proxy/exchange.hpp"
#include "gateway/proxy/hedge_queue.hpp"
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
// `now`: the coarse clock's reading the endpoint was selected at, the try's start.
TryRun start_try(Exchange& exchange, std::size_t index, upstream::TriedSet& tried,
                 std::chrono::steady_clock::time_point now);

// The hedge of a first try `first`, waiting in the worker's HedgeQueue until the hedge delay
// has passed since the try started. Nothing goes out, nothing is allocated and no timer is armed
// for a try that gets its head in time: the exchange runs the first try with obtain_head as
// without hedging, and asks launched() after it. When the delay passes first, decide_hedge and
// the retry budget may send the hedge (`request`: the request's state at the start; `hash_key`
// for the balancer). Over budget, it looks again every kBudgetRecheck for one more hedge delay,
// or until the try's per-try timeout when it has one (a hedge then beats a timeout whose retry
// the budget might refuse): slots free up as other hedges end, while on a fleet that is slow
// everywhere a late hedge would only add load. Then it keeps the first try's per-try deadline
// (time_out() when it passes), so the connection's watchdog is not re-armed for it on every
// request. Lives on the exchange's frame beside `first`.
class HedgedTry final : public HedgeWaiter {
 public:
  static constexpr Millis kBudgetRecheck{25};

  HedgedTry(Exchange& exchange, TryRun& first, upstream::TriedSet& tried, const RetryState& request,
            std::string_view hash_key, Millis delay);
  HedgedTry(const HedgedTry&) = delete;
  HedgedTry& operator=(const HedgedTry&) = delete;
  ~HedgedTry();

  // Whether a hedge went out while the first try ran. Unlinks from the queue: call it once the
  // first try has ended.
  bool launched() noexcept {
    unlink();
    return hedge_ != nullptr;
  }

  // With launched(): the winning try's outcome (`first`: the first try's), leaving `first`
  // (the TryRun) describing the winner; the loser is accounted for (abandoned, not a failure)
  // and its connection closed. A hedge that failed while the first try had no head either is
  // accounted as the failure it was.
  net::Awaitable<HeadOutcome> settle(HeadOutcome first);

  struct Hedge;  // the hedge try in flight (hedged_try.cpp)

 private:
  void on_due(Clock::time_point now) override;
  HedgeVerdict launch();
  // After the hedge phase: waits for the first try's per-try deadline, when it has one.
  void await_per_try_deadline();

  Exchange& exchange_;
  TryRun& first_;
  upstream::TriedSet& tried_;
  const RetryState& request_;
  std::string_view hash_key_;
  Millis delay_;
  Clock::time_point recheck_until_{};
  bool hedge_decided_ = false;    // past the hedge phase: the next call is the per-try deadline
  std::unique_ptr<Hedge> hedge_;  // made when the hedge goes out
};

}  // namespace flotilla::gateway
