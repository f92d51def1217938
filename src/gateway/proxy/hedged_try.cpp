// Hedged tries: a timer beside the first try; when it fires before a head, decide_hedge and the
// retry budget allow a second try on another endpoint. Must never pool a loser's connection,
// nor leave this frame while a try or the timer's handler may still touch it.
#include "gateway/proxy/hedged_try.hpp"

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>

#include "gateway/proxy/crash_verdict.hpp"
#include "gateway/worker.hpp"
#include "net/coarse_clock.hpp"

namespace flotilla::gateway {
namespace {

using upstream::Outcome;
using upstream::OutcomeKind;

struct Hedge {
  explicit Hedge(const net::Executor& executor) : done(executor) {
    done.expires_at(net::Timer::time_point::max());
  }
  TryRun run;
  HeadOutcome outcome;
  bool handler_ran = false;  // the delay timer's handler ran (or was cancelled)
  bool closed = false;       // the first try ended: no hedge may start any more
  bool launched = false;
  bool running = false;
  bool slot = false;  // holds a slot of the retry budget
  net::Timer done;    // cancelled when the hedge try ends
};

HedgeVerdict launch(Exchange& exchange, TryRun& first, Hedge& hedge, upstream::TriedSet& tried,
                    const RetryState& request, std::string_view hash_key) {
  WorkerUpstream& upstream = exchange.upstream;
  upstream::UpstreamState& state = upstream.state;
  upstream::RetryBudget& budget = state.retry_budget();
  const auto index = state.select(net::coarse_now(), hash_key, tried);
  const bool slot_free = budget.active_retries() < budget.limit();
  const HedgeVerdict verdict =
      decide_hedge(exchange.route.hedge, request, 0, index.has_value(), slot_free);
  if (verdict != HedgeVerdict::kHedge) return verdict;
  if (!budget.try_start_retry()) return HedgeVerdict::kOverBudget;
  hedge.slot = true;
  hedge.run = start_try(exchange, *index, tried);
  hedge.run.control.watch_client = false;  // the first try watches the client
  hedge.run.control.head_timeout = first.control.head_timeout;
  hedge.launched = true;
  hedge.running = true;
  exchange.ctx.record.hedged = true;
  exchange.ctx.worker.metrics().tail_event(upstream.series, observe::TailEvent::hedge_sent);
  asio::co_spawn(exchange.ctx.worker.context(),
                 obtain_head(exchange, hedge.run.address, hedge.run.control),
                 [&hedge, &first](std::exception_ptr, HeadOutcome outcome) {
                   hedge.outcome = std::move(outcome);
                   hedge.running = false;
                   // A head first: the first try loses (its connection is closed).
                   if (hedge.outcome.end.head && !hedge.closed) first.control.cancel();
                   hedge.done.cancel();
                 });
  return verdict;
}

// The hedge delay's timer handler. Over budget, it looks again every kBudgetRecheck for one more
// hedge delay, or until the try's per-try timeout when it has one (a hedge then beats a timeout
// whose retry the budget might refuse): slots free up as other hedges end (a frozen endpoint
// holds many requests at once, whose hedges each take a millisecond), while on a fleet that is
// slow everywhere a late hedge would only add load.
struct DelayHandler {
  static constexpr Millis kBudgetRecheck{25};
  Exchange& exchange;
  TryRun& first;
  Hedge& hedge;
  upstream::TriedSet& tried;
  const RetryState& request;
  std::string_view hash_key;
  net::Timer& timer;
  Millis delay;
  std::chrono::steady_clock::time_point recheck_until{};

  void operator()(std::error_code ec) {
    if (ec) return;  // cancelled: this frame may be gone, touch nothing
    hedge.handler_ran = true;
    if (hedge.closed) return;
    if (launch(exchange, first, hedge, tried, request, hash_key) != HedgeVerdict::kOverBudget) {
      return;
    }
    const auto now = net::coarse_now();
    if (recheck_until == std::chrono::steady_clock::time_point{}) {
      const Millis per_try = first.control.head_timeout;
      recheck_until = now + (per_try > delay ? per_try - delay : delay);
    }
    if (now >= recheck_until) return;
    hedge.handler_ran = false;
    timer.expires_after(kBudgetRecheck);
    timer.async_wait(*this);
  }
};

// The try that lost or failed beside the winner: its endpoint is not blamed for a cancelled try,
// only for a failure of its own.
void account(Exchange& exchange, const TryRun& run, const HeadOutcome& outcome, bool lost) {
  Outcome result = Outcome::gave_up(OutcomeKind::cancelled);
  if (!lost && !outcome.end.head) result = Outcome::error(outcome.end.failure);
  if (run.control.per_try_timed_out) result.abandoned = true;
  exchange.upstream.state.on_request_end(run.ticket, result, net::coarse_now());
  exchange.ctx.worker.record_attempt(run.endpoint_series, result);
}

}  // namespace

TryRun start_try(Exchange& exchange, std::size_t index, upstream::TriedSet& tried) {
  WorkerUpstream& upstream = exchange.upstream;
  TryRun run;
  run.ticket = upstream.state.on_request_start(index, net::coarse_now());
  tried.add(run.ticket);
  run.endpoint_series = upstream.endpoint_series[index];
  run.crash_key = crash_endpoint_key(upstream, index);
  run.address = upstream.addresses[index];
  run.control.endpoint_index = static_cast<std::uint32_t>(index);
  return run;
}

net::Awaitable<HeadOutcome> obtain_head_hedged(Exchange& exchange, TryRun& run,
                                               upstream::TriedSet& tried, Millis delay,
                                               const RetryState& request,
                                               std::string_view hash_key) {
  Worker& worker = exchange.ctx.worker;
  Hedge hedge(worker.context().get_executor());
  net::Timer delay_timer(worker.context());
  delay_timer.expires_after(delay);
  delay_timer.async_wait(
      DelayHandler{exchange, run, hedge, tried, request, hash_key, delay_timer, delay});
  HeadOutcome first = co_await obtain_head(exchange, run.address, run.control);
  hedge.closed = true;
  // A handler already queued with success must run before this frame goes.
  if (delay_timer.cancel() == 0) {
    while (!hedge.handler_ran) co_await asio::post(worker.context(), net::use_nothrow_io);
  }
  if (!hedge.launched) co_return first;

  // First head wins. A first try that failed on its own waits for the hedge's result.
  if (hedge.running && first.end.head) hedge.run.control.cancel();
  if (hedge.running && first.client_gone) hedge.run.control.cancel();
  while (hedge.running) co_await hedge.done.async_wait(net::use_nothrow_io);
  if (hedge.slot) exchange.upstream.state.retry_budget().on_retry_end();
  if (first.end.head && first.connection && hedge.outcome.connection) {
    hedge.outcome.connection->stream().close();  // both answered: the later one is dropped
  }

  const bool hedge_wins =
      !first.client_gone && hedge.outcome.end.head && (run.control.cancelled || !first.end.head);
  if (!hedge_wins) {
    account(exchange, hedge.run, hedge.outcome, first.end.head || first.client_gone);
    hedge.outcome.connection.reset();  // never pooled: its response was not read
    co_return first;
  }
  worker.metrics().tail_event(exchange.upstream.series, observe::TailEvent::hedge_won);
  account(exchange, run, first, run.control.cancelled);
  first.connection.reset();
  run = std::move(hedge.run);
  co_return std::move(hedge.outcome);
}

}  // namespace flotilla::gateway
