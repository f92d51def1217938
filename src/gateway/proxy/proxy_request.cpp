#include "gateway/proxy/proxy_request.hpp"

#include <spdlog/spdlog.h>
#include <asio/steady_timer.hpp>

#include "gateway/error_response.hpp"
#include "gateway/hash_key.hpp"
#include "gateway/pipeline/request_body.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/proxy/attempt.hpp"
#include "gateway/proxy/crash_verdict.hpp"
#include "gateway/proxy/forward_response.hpp"
#include "gateway/proxy/hedged_try.hpp"
#include "gateway/proxy/upstream_request.hpp"
#include "gateway/request_target.hpp"
#include "gateway/worker.hpp"
#include "net/coarse_clock.hpp"
#include "upstream/backoff.hpp"

namespace flotilla::gateway {
namespace {

using upstream::Outcome;
using upstream::OutcomeKind;

bool within_time_budget(const Exchange& exchange) {
  const Millis budget = exchange.route.retry.budget;
  return budget.count() == 0 || net::coarse_now() - exchange.started < budget;
}

RetryState retry_state(const Exchange& exchange) {
  RetryState state;
  state.attempts = exchange.attempts;
  state.idempotent = exchange.idempotent;
  state.replayable = !exchange.ctx.body.streamed();
  state.within_time_budget = within_time_budget(exchange);
  state.upgrade_requested = upgrade_forwarded(exchange.ctx.head);
  state.suspect = exchange.suspect;
  state.body_held = exchange.ctx.body.complete() && !exchange.ctx.body.streamed();
  return state;
}

int failure_status(const AttemptEnd& end) {
  return end.failure == OutcomeKind::timeout ? 504 : 502;
}

// A retry the upstream's budget has no slot for does not happen: a response is forwarded as it
// came, a failure is answered.
void apply_budget(Decision& decision, const AttemptEnd& end, upstream::RetryBudget& budget,
                  bool& slot_taken) {
  if (decision.step != NextStep::kRetry || !decision.counted) return;
  if (budget.try_start_retry()) {
    slot_taken = true;
    return;
  }
  if (end.head) {
    decision.step = NextStep::kForward;
  } else {
    decision.step = NextStep::kFail;
    decision.status = failure_status(end);
  }
}

Outcome attempt_outcome(const HeadOutcome& attempt, const Decision& decision,
                        const ForwardEnd* forwarded) {
  if (forwarded && forwarded->broke != OutcomeKind::response)
    return Outcome::error(forwarded->broke);
  if (forwarded && forwarded->client_closed) return Outcome::error(OutcomeKind::cancelled);
  if (attempt.end.head) {
    return Outcome::http(static_cast<std::uint16_t>(attempt.end.status),
                         decision.status_is_failure);
  }
  return Outcome::error(attempt.end.failure);
}

// The session a TLS upstream gave (TLS 1.3 tickets arrive with the response, so after it): the
// next connection to the endpoint offers it.
void keep_tls_session(WorkerUpstream& upstream, std::uint32_t index,
                      UpstreamConnection* connection) {
  if (!connection || index >= upstream.tls_sessions.size()) return;
  const tls::Connection* session = connection->stream().tls();
  if (!session) return;
  if (tls::SessionPtr resumable = session->session()) {
    upstream.tls_sessions[index] = std::move(resumable);
  }
}

net::Awaitable<void> answer(Exchange& exchange, int status) {
  RequestContext& ctx = exchange.ctx;
  if (exchange.pump) co_await finish_pump(exchange, true);
  if (exchange.pump && exchange.pump->client_error != 0) status = exchange.pump->client_error;
  if (status == 499) {  // the client went away with its body: nothing to answer
    ctx.sink.close_after();
    co_return;
  }
  LocalAnswer error;
  error.status = status;
  error.error = true;
  if (status == 503) error.retry_after_seconds = 1;
  // No endpoint could even be tried: say which upstream (send_answer copies it at once).
  if (status == 503 && exchange.attempts == 0) {
    error.detail = no_ready_endpoint_detail(exchange.upstream.state.spec().name);
  }
  ctx.scratch.response_edits.clear();
  co_await send_answer(ctx, error);
}

}  // namespace

net::Awaitable<void> proxy_request(RequestContext& ctx, WorkerUpstream& upstream) {
  Exchange exchange(ctx, upstream);
  exchange.idempotent = is_idempotent(ctx.head.method);
  struct Tally {
    Exchange& exchange;
    ~Tally() {
      RequestContext& ctx = exchange.ctx;
      ctx.record.bytes_in += ctx.body.bytes();
      if (exchange.attempts > ctx.record.attempts) ctx.record.attempts = exchange.attempts;
    }
  } tally{exchange};

  // Small bodies are read before the first attempt, so they stay replayable. (An empty body has
  // nothing to read: no coroutine for it.)
  if (!ctx.body.empty()) {
    const int body_status = co_await ctx.body.prefetch();
    if (body_status != 0) {
      co_await answer(exchange, body_status);
      co_return;
    }
  }
  prepare_upstream_head(exchange);

  upstream::UpstreamState& state = upstream.state;
  upstream::RetryBudget& budget = state.retry_budget();
  budget.on_request_start();
  bool slot_taken = false;  // the attempt in progress holds a slot of the retry budget
  struct BudgetGuard {
    upstream::RetryBudget& budget;
    bool& slot_taken;
    ~BudgetGuard() {
      if (slot_taken) budget.on_retry_end();
      budget.on_request_end();
    }
  } budget_guard{budget, slot_taken};

  upstream::TriedSet tried;
  int fail_status = 503;  // no endpoint could take the request at all
  for (;;) {
    const std::string_view key = hash_key(ctx.head, state.spec(), ctx.client_ip);
    const auto now = net::coarse_now();  // for the balancer and the try's start
    auto index = state.select(now, key, tried);
    // With every endpoint passively down, select() forgives them all (nginx resets its fails
    // too) but answers nothing. The request that found them down takes a forgiven one instead of
    // failing with 503: as in nginx, a lone server is never made unavailable by passive checks.
    if (!index && tried.empty()) index = state.select(now, key, tried);
    if (!index) break;
    TryRun run = start_try(exchange, *index, tried, now);
    ++exchange.attempts;
    exchange.endpoint_index = run.control.endpoint_index;

    // Tail latency: a per-try timeout and a hedge, for requests that can be sent again (a route
    // with neither makes no call for them).
    const RetryState before = retry_state(exchange);
    const Millis read = exchange.route.timeouts.read;
    const bool per_try_set =
        exchange.route.retry.per_try.mode != upstream::AdaptiveTimeout::Mode::off;
    if (per_try_set && per_try_applies(exchange.route.retry, before)) {
      run.control.head_timeout =
          upstream::per_try_timeout(exchange.route.retry.per_try, state.latency_summary(), read);
    }
    // A hedge waits in the worker's queue beside the try; most tries get their head first, and
    // cost no more than that.
    std::optional<HedgedTry> hedged;
    if (exchange.route.hedge.max > 0 &&
        decide_hedge(exchange.route.hedge, before, 0, true, true) == HedgeVerdict::kHedge) {
      const Millis delay = upstream::hedge_delay(
          exchange.route.hedge.after, state.latency_summary(),
          run.control.head_timeout.count() > 0 ? run.control.head_timeout : read);
      hedged.emplace(exchange, run, tried, before, key, delay);
    }
    HeadOutcome attempt = co_await obtain_head(exchange, run.address, run.control);
    if (hedged && hedged->launched()) attempt = co_await hedged->settle(std::move(attempt));
    hedged.reset();
    // The winner's endpoint (a hedge may have answered first).
    const upstream::EndpointTicket ticket = run.ticket;
    const std::uint32_t endpoint_series = run.endpoint_series;
    const std::uint64_t crash_key = run.crash_key;
    exchange.endpoint_index = run.control.endpoint_index;
    ctx.record.endpoint = endpoint_series;
    if (run.control.per_try_timed_out) {
      ctx.worker.metrics().tail_event(upstream.series, observe::TailEvent::per_try_timeout);
    }
    const bool had_slot = std::exchange(slot_taken, false);
    if (attempt.client_gone) {
      exchange.client_gone = true;
      state.on_request_end(ticket, Outcome::error(OutcomeKind::cancelled), net::coarse_now());
      ctx.worker.record_attempt(endpoint_series, Outcome::error(OutcomeKind::cancelled));
      if (had_slot) budget.on_retry_end();
      if (exchange.pump) co_await finish_pump(exchange, true);
      ctx.sink.close_after();
      co_return;
    }
    if (wants_crash_verdict(exchange.route.retry, attempt.end)) {
      attempt.end.crash = co_await await_crash_verdict(exchange, crash_key);
    }
    Decision decision = decide(exchange.route.retry, retry_state(exchange), attempt.end);
    apply_budget(decision, attempt.end, budget, slot_taken);
    if (decision.suspect) exchange.suspect = true;  // counted by the CrashLedger
    if (!attempt.end.head) {
      spdlog::debug("attempt {} on endpoint {} failed: outcome {} (crash {}), next step {}",
                    exchange.attempts, crash_key, static_cast<int>(attempt.end.failure),
                    static_cast<int>(attempt.end.crash), static_cast<int>(decision.step));
    }

    std::optional<ForwardEnd> forwarded;
    if (decision.step == NextStep::kForward || decision.step == NextStep::kTunnel) {
      forwarded = co_await forward_response(exchange, attempt, decision.step == NextStep::kTunnel);
      if (forwarded->invalid_before_start) {
        // The body's framing broke at its first byte: nothing went out, decide again.
        forwarded.reset();
        ctx.scratch.response_edits.clear();
        attempt.end = AttemptEnd{false, 0, OutcomeKind::invalid_header, true};
        decision = decide(exchange.route.retry, retry_state(exchange), attempt.end);
        apply_budget(decision, attempt.end, budget, slot_taken);
      }
    }
    Outcome outcome = attempt_outcome(attempt, decision, forwarded ? &*forwarded : nullptr);
    outcome.abandoned = run.control.per_try_timed_out;
    state.on_request_end(ticket, outcome, net::coarse_now());
    ctx.worker.record_attempt(endpoint_series, outcome);
    if (had_slot) budget.on_retry_end();

    if (forwarded) {
      if (exchange.pump) co_await finish_pump(exchange, !forwarded->complete);
      const bool body_sent = !exchange.pump || exchange.pump->ok;
      keep_tls_session(upstream, exchange.endpoint_index, attempt.connection.get());
      if (forwarded->reusable && body_sent) {
        ctx.worker.connection_pool().give_back(std::move(attempt.connection), upstream.keepalive);
      }
      if (!forwarded->complete) ctx.sink.close_after();
      co_return;
    }
    if (exchange.pump)
      co_await finish_pump(exchange, true);  // before the connection it writes to goes
    attempt.connection.reset();              // never reused: its response was not read to its end
    if (decision.step == NextStep::kFail) {
      fail_status = decision.status;
      break;
    }
    // Should no endpoint be left to retry on, the answer is this attempt's failure.
    fail_status = attempt.end.head ? 502 : failure_status(attempt.end);
    ctx.worker.metrics().retried(upstream.series, decision.reason);
    net::Timer backoff(ctx.worker.context());
    backoff.expires_after(
        decision.suspect ? suspect_replay_delay(ctx.worker.rng())
                         : upstream::backoff_delay(exchange.attempts - 1, {}, ctx.worker.rng()));
    co_await backoff.async_wait(net::use_nothrow_io);
  }
  co_await answer(exchange, fail_status);
}

}  // namespace flotilla::gateway
