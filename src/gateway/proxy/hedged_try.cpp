// Hedged tries: a first try waits in the worker's HedgeQueue; when its delay passes before a
// head, decide_hedge and the retry budget allow a second try on another endpoint. Must never
// pool a loser's connection, nor leave the exchange's frame while the hedge try may still touch it.
#include "gateway/proxy/hedged_try.hpp"

#include <asio/co_spawn.hpp>

#include "gateway/proxy/crash_verdict.hpp"
#include "gateway/worker.hpp"
#include "net/coarse_clock.hpp"

namespace flotilla::gateway {
namespace {

using upstream::Outcome;
using upstream::OutcomeKind;

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

struct HedgedTry::Hedge {
  explicit Hedge(const net::Executor& executor) : done(executor) {
    done.expires_at(net::Timer::time_point::max());
  }
  TryRun run;
  HeadOutcome outcome;
  bool closed = false;  // the first try ended: a head of the hedge no longer cancels it
  bool running = true;
  net::Timer done;  // cancelled when the hedge try ends
};

TryRun start_try(Exchange& exchange, std::size_t index, upstream::TriedSet& tried,
                 std::chrono::steady_clock::time_point now) {
  WorkerUpstream& upstream = exchange.upstream;
  TryRun run;
  run.ticket = upstream.state.on_request_start(index, now);
  tried.add(run.ticket);
  run.endpoint_series = upstream.endpoint_series[index];
  run.crash_key = crash_endpoint_key(upstream, index);
  run.address = upstream.addresses[index];
  run.control.endpoint_index = static_cast<std::uint32_t>(index);
  return run;
}

HedgedTry::HedgedTry(Exchange& exchange, TryRun& first, upstream::TriedSet& tried,
                     const RetryState& request, std::string_view hash_key, Millis delay)
    : exchange_(exchange),
      first_(first),
      tried_(tried),
      request_(request),
      hash_key_(hash_key),
      delay_(delay) {
  // The try's start (a coarse reading, taken by start_try) plus the delay: no clock read here.
  first.control.deadline_by_queue = first.control.head_timeout.count() > 0;
  exchange.ctx.worker.hedge_queue().add(*this, first.ticket.started + delay);
}

HedgedTry::~HedgedTry() = default;

HedgeVerdict HedgedTry::launch() {
  WorkerUpstream& upstream = exchange_.upstream;
  upstream::UpstreamState& state = upstream.state;
  upstream::RetryBudget& budget = state.retry_budget();
  const auto now = net::coarse_now();
  const auto index = state.select(now, hash_key_, tried_);
  const bool slot_free = budget.active_retries() < budget.limit();
  const HedgeVerdict verdict =
      decide_hedge(exchange_.route.hedge, request_, 0, index.has_value(), slot_free);
  if (verdict != HedgeVerdict::kHedge) return verdict;
  if (!budget.try_start_retry()) return HedgeVerdict::kOverBudget;
  Worker& worker = exchange_.ctx.worker;
  hedge_ = std::make_unique<Hedge>(worker.context().get_executor());
  Hedge& hedge = *hedge_;
  hedge.run = start_try(exchange_, *index, tried_, now);
  hedge.run.control.watch_client = false;  // the first try watches the client
  hedge.run.control.head_timeout = first_.control.head_timeout;
  exchange_.ctx.record.hedged = true;
  worker.metrics().tail_event(upstream.series, observe::TailEvent::hedge_sent);
  asio::co_spawn(worker.context(), obtain_head(exchange_, hedge.run.address, hedge.run.control),
                 [&hedge, &first = first_](std::exception_ptr, HeadOutcome outcome) {
                   hedge.outcome = std::move(outcome);
                   hedge.running = false;
                   // A head first: the first try loses (its connection is closed).
                   if (hedge.outcome.end.head && !hedge.closed) first.control.cancel();
                   hedge.done.cancel();
                 });
  return verdict;
}

void HedgedTry::on_due(Clock::time_point now) {
  if (hedge_decided_) {
    first_.control.time_out();
    return;
  }
  if (launch() != HedgeVerdict::kOverBudget) {
    await_per_try_deadline();
    return;
  }
  if (recheck_until_ == Clock::time_point{}) {
    const Millis per_try = first_.control.head_timeout;
    recheck_until_ = now + (per_try > delay_ ? per_try - delay_ : delay_);
  }
  if (now >= recheck_until_) {
    await_per_try_deadline();
    return;
  }
  exchange_.ctx.worker.hedge_queue().add(*this, now + kBudgetRecheck);
}

void HedgedTry::await_per_try_deadline() {
  hedge_decided_ = true;
  // obtain_head set the deadline when the try started (before any hedge could be due).
  if (first_.control.deadline_by_queue) {
    exchange_.ctx.worker.hedge_queue().add(*this, first_.control.deadline);
  }
}

net::Awaitable<HeadOutcome> HedgedTry::settle(HeadOutcome first) {
  Hedge& hedge = *hedge_;
  hedge.closed = true;
  TryRun& run = first_;
  // First head wins. A first try that failed on its own waits for the hedge's result.
  if (hedge.running && (first.end.head || first.client_gone)) hedge.run.control.cancel();
  while (hedge.running) co_await hedge.done.async_wait(net::use_nothrow_io);
  exchange_.upstream.state.retry_budget().on_retry_end();
  if (first.end.head && first.connection && hedge.outcome.connection) {
    hedge.outcome.connection->stream().close();  // both answered: the later one is dropped
  }

  const bool hedge_wins =
      !first.client_gone && hedge.outcome.end.head && (run.control.cancelled || !first.end.head);
  if (!hedge_wins) {
    account(exchange_, hedge.run, hedge.outcome, first.end.head || first.client_gone);
    hedge.outcome.connection.reset();  // never pooled: its response was not read
    co_return first;
  }
  exchange_.ctx.worker.metrics().tail_event(exchange_.upstream.series,
                                            observe::TailEvent::hedge_won);
  account(exchange_, run, first, run.control.cancelled);
  first.connection.reset();
  run = std::move(hedge.run);
  co_return std::move(hedge.outcome);
}

}  // namespace flotilla::gateway
