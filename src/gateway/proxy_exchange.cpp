#include "gateway/proxy_exchange.hpp"

#include <bit>

#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "net/async.hpp"
#include "gateway/error_response.hpp"
#include "gateway/forwarded_headers.hpp"
#include "gateway/hash_key.hpp"
#include "gateway/request_end.hpp"
#include "gateway/request_target.hpp"
#include "gateway/upstream_attempt.hpp"
#include "gateway/worker.hpp"
#include "net/coarse_clock.hpp"
#include "upstream/backoff.hpp"

namespace flotilla::gateway {
namespace {

using Clock = std::chrono::steady_clock;
using upstream::OutcomeKind;

// TriedSet's capacity bounds every exchange, whatever the policy says.
constexpr std::uint32_t kMaxAttempts = upstream::TriedSet::kCapacity;

bool within_time_budget(const Exchange& exchange) {
  const Millis budget = exchange.route.retry.budget;
  return budget.count() == 0 || net::coarse_now() - exchange.started < budget;
}

// The request can be sent again in full: no body byte beyond the client buffer was consumed yet.
// The body need not be complete: what has not arrived still waits in the client socket, and the
// next attempt streams it (e.g. a PUT whose body follows its head, to an endpoint that refused).
bool replayable(const Exchange& exchange) {
  return !exchange.body_streamed;
}

struct RetryDecision {
  bool retry = false;
  bool counted = false;  // takes a slot of the retry budget
};

RetryDecision decide_retry(const Exchange& exchange, const AttemptResult& last) {
  const RetryPolicy& policy = exchange.route.retry;
  if (exchange.attempts >= kMaxAttempts || !replayable(exchange) || !within_time_budget(exchange)) {
    return {};
  }
  const bool unsafe_to_replay = last.request_sent && !exchange.idempotent && !policy.non_idempotent;
  if (unsafe_to_replay) return {};
  const OutcomeKind kind = last.outcome.kind;
  // The connection broke before any response byte: an idempotent request is always retried on
  // another endpoint, outside the budget (the endpoint, not the request, was the problem).
  if (exchange.idempotent && (kind == OutcomeKind::connect_error || kind == OutcomeKind::reset)) {
    return {true, false};
  }
  if ((policy.on & last.retry_reason) == 0 || exchange.attempts >= policy.tries) return {};
  return {true, last.retry_reason != kRetryError};
}

net::Awaitable<bool> answer(Exchange& exchange, int status, bool keep_alive) {
  ClientSession& session = exchange.session;
  Workspace& ws = session.workspace();
  ErrorResponse response;
  response.status = status;
  response.json = exchange.json_errors;
  response.close = !keep_alive;
  response.request_id = exchange.request_id;
  response.head_only = exchange.method == http::Method::kHead;
  response.date = session.worker().http_date();
  if (status == 503) response.retry_after_seconds = 1;
  write_error_response(ws.response, response);
  session.watchdog().expires_after(
      session.worker().listener(session.listener_index()).send_timeout);
  auto [ec, n] =
      co_await asio::async_write(session.socket(), asio::buffer(ws.response), net::use_nothrow_io);
  session.watchdog().disarm();
  session.record().bytes_out += n;
  exchange.status = status;
  if (ec) exchange.client_closed = true;
  co_return !ec && keep_alive;
}

// The one exit of an exchange: reports it, then tells whether the connection goes on.
bool finish(Exchange& exchange, bool keep_alive) {
  RequestEnd end;
  end.status = exchange.client_closed && exchange.status == 0 ? 499 : exchange.status;
  end.client_closed = exchange.client_closed;
  end.route = exchange.route_index;
  end.upstream = &exchange.upstream;
  end.endpoint = exchange.endpoint;
  end.attempts = exchange.attempts;
  end.started = exchange.started;
  observe::RequestRecord& record = exchange.session.record();
  record.bytes_in += exchange.body.body_bytes();
  end.record = &record;
  end.client_ip = exchange.session.client_ip();
  finish_request(exchange.session.worker(), end);
  return keep_alive;
}

// Validates the body bytes that arrived with the head, so a request with a broken body sends
// nothing upstream. Returns the status to answer, or 0.
int check_buffered_body(Exchange& exchange, const http::RequestHead& head,
                        const ListenerSettings& listener) {
  ClientSession& session = exchange.session;
  Workspace& ws = session.workspace();
  if (listener.max_body != 0 && head.framing == http::BodyFraming::kContentLength &&
      head.content_length > listener.max_body) {
    return 413;
  }
  exchange.body.start(head.framing, head.content_length);
  std::string_view rest(ws.buffer.get() + session.head_consumed(),
                        session.filled() - session.head_consumed());
  while (!exchange.body.done() && !rest.empty()) {
    const http::BodyStep step = exchange.body.next(rest);
    if (step.failed()) return 400;
    exchange.body_in_buffer += step.consumed;
    rest.remove_prefix(step.consumed);
    if (step.consumed == 0) break;
  }
  if (listener.max_body != 0 && exchange.body.body_bytes() > listener.max_body) return 413;
  exchange.body_complete = exchange.body.done();
  return 0;
}

// Reads the rest of a Content-Length body that fits in the client buffer before the first
// attempt. A body that arrives a moment after its head (most clients write them separately)
// would otherwise stream, and a streamed body can never be replayed on another endpoint; nginx
// buffers request bodies for the same reason. Larger and chunked bodies stream, and so does a
// body behind `Expect: 100-continue` (its client waits for our 100). False: the client went away
// or its body timed out, and the connection closes without an answer.
net::Awaitable<bool> read_small_body(Exchange& exchange, const ListenerSettings& listener) {
  ClientSession& session = exchange.session;
  Workspace& ws = session.workspace();
  if (exchange.body.done() || exchange.expect_continue ||
      exchange.body.framing() != http::BodyFraming::kContentLength ||
      session.filled() + exchange.body.remaining() > ws.capacity) {
    co_return true;
  }
  session.watchdog().expires_after(listener.body_timeout);
  while (!exchange.body.done()) {
    char* free_space = ws.buffer.get() + session.filled();
    auto [ec, n] = co_await session.socket().async_read_some(
        asio::buffer(free_space, ws.capacity - session.filled()), net::use_nothrow_io);
    if (ec) co_return false;
    session.filled() += n;
    // Everything before `filled` was body, so the new bytes continue it; any past its end
    // belong to a pipelined request and stay in the buffer.
    exchange.body_in_buffer += exchange.body.next({free_space, n}).consumed;
  }
  session.watchdog().disarm();
  exchange.body_complete = true;
  co_return true;
}

void prepare_head(Exchange& exchange, const http::RequestHead& head) {
  ClientSession& session = exchange.session;
  Workspace& ws = session.workspace();
  upstream::Prng& rng = session.worker().rng();
  ws.added.clear();
  const ForwardedHeaders forwarded =
      write_forwarded_headers(head, {session.client_ip(), false}, rng.next(), rng.next(), ws.added);
  // The id must outlive the client buffer, which a streamed body overwrites; copied before
  // `added` grows again, since it is a view into it.
  ws.request_id.assign(forwarded.request_id);
  exchange.request_id = ws.request_id;
  session.record().request_id = ws.request_id;
  // Expect is answered here (100 Continue once an upstream is connected), never forwarded.
  std::uint64_t drop = forwarded.drop | http::header_bit(http::HeaderId::kExpect);
  // The upstream sees the host the request was routed on, in one Host line: an absolute-form
  // target's authority replaces Host (RFC 9112 §3.2.2), and a request without a host (HTTP/1.0,
  // or an empty Host) goes out as HTTP/1.1, which requires one.
  if (head.host.empty() || head.target_form == http::TargetForm::kAbsolute) {
    ws.added += "Host: ";
    const std::string& upstream_name = exchange.upstream.state.spec().name;
    std::string_view host = head.host.empty() ? std::string_view(upstream_name) : head.host;
    host.remove_prefix(host.rfind('@') + 1);  // "user@host": userinfo is not part of Host
    ws.added += host;
    ws.added += "\r\n";
    drop |= http::header_bit(http::HeaderId::kHost);
  }
  ws.added_lines[0] = ws.added;
  http::ForwardOptions options;
  // An upstream is an origin server: it gets origin-form, as from any client (RFC 9112 §3.2.1).
  if (head.target_form == http::TargetForm::kAbsolute)
    options.target = origin_form(head, ws.target);
  options.added = {ws.added_lines.data(), 1};
  options.drop = drop;
  options.drop_underscore_aliases = kForwardingHeaders;
  options.keep_upgrade = head.upgrade;
  options.force_http11 = true;
  exchange.head_pieces = ws.writer.write(head, options);
}

}  // namespace

bool retry_on_status(Exchange& exchange, int status) {
  const std::uint32_t reason = status_retry_reason(status);
  if (reason == 0) return false;
  const RetryPolicy& policy = exchange.route.retry;
  if ((policy.on & reason) == 0 || exchange.attempts >= std::min(policy.tries, kMaxAttempts))
    return false;
  if (!replayable(exchange) || !within_time_budget(exchange)) return false;
  if (!exchange.idempotent && !policy.non_idempotent) return false;
  if (!exchange.upstream.state.retry_budget().try_start_retry()) return false;
  exchange.retry_reserved = true;
  return true;
}

net::Awaitable<bool> proxy_request(ClientSession& session, const RouteTarget& route,
                              std::uint32_t route_index, WorkerUpstream& upstream) {
  Workspace& ws = session.workspace();
  const http::RequestHead& head = ws.parser.head();
  const ListenerSettings& listener = session.worker().listener(session.listener_index());
  Exchange exchange(session, route, route_index, upstream);
  exchange.method = head.method;
  exchange.version = head.version;
  exchange.client_keep_alive = head.keep_alive;
  exchange.expect_continue = head.expect_continue;
  exchange.upgrade = head.upgrade;
  exchange.idempotent = is_idempotent(head.method);
  exchange.json_errors = prefers_json(head);
  if (const int status = check_buffered_body(exchange, head, listener)) {
    const bool kept = co_await answer(exchange, status, false);
    co_return finish(exchange, kept);
  }
  const bool body_read = co_await read_small_body(exchange, listener);
  if (!body_read) {
    exchange.client_closed = true;  // gone, or its body timed out (nginx logs 408 or 499)
    co_return finish(exchange, false);
  }
  prepare_head(exchange, head);

  upstream::UpstreamState& state = upstream.state;
  upstream::RetryBudget& budget = state.retry_budget();
  budget.on_request_start();
  struct BudgetGuard {
    upstream::RetryBudget& budget;
    ~BudgetGuard() { budget.on_request_end(); }
  } budget_guard{budget};

  upstream::TriedSet tried;
  AttemptResult last;
  bool retry_counted = false;  // the attempt in progress holds a slot of the retry budget
  for (;;) {
    // Until a streamed body overwrites the buffer, the head (and so the hash key) is intact.
    const std::string_view key = !exchange.body_streamed
                                     ? hash_key(head, state.spec(), session.client_ip())
                                     : std::string_view{};
    auto index = state.select(net::coarse_now(), key, tried);
    // With every endpoint passively down, select() forgives them all (nginx resets its fails
    // too) but answers nothing. The request that found them down takes a forgiven one instead of
    // failing with 503: as in nginx, a lone server is never made unavailable by passive checks.
    if (!index && tried.empty()) index = state.select(net::coarse_now(), key, tried);
    if (!index) break;
    const upstream::EndpointTicket ticket = state.on_request_start(*index);
    tried.add(ticket);
    ++exchange.attempts;
    exchange.endpoint = &upstream.addresses[*index];
    // Resolved now: a snapshot installed during the attempt may renumber the endpoints.
    const std::uint32_t endpoint_series = upstream.endpoint_series[*index];
    session.record().endpoint = endpoint_series;
    last = co_await run_attempt(exchange, upstream.addresses[*index]);
    state.on_request_end(ticket, last.outcome, net::coarse_now());
    session.worker().record_attempt(endpoint_series, last.outcome);
    if (retry_counted) budget.on_retry_end();
    retry_counted = std::exchange(exchange.retry_reserved, false);

    if (last.end == AttemptResult::End::kForwarded) {
      const bool keep = last.keep_client && (exchange.body_complete || exchange.body_pumped);
      if (keep && !exchange.body_streamed) {
        session.consume(session.head_consumed() + exchange.body_in_buffer);
      }
      if (retry_counted) budget.on_retry_end();
      co_return finish(exchange, keep);
    }
    if (last.end == AttemptResult::End::kAborted) {
      if (retry_counted) budget.on_retry_end();
      if (last.client_error != 0) {
        co_await answer(exchange, last.client_error, false);
      }
      co_return finish(exchange, false);
    }
    if (!retry_counted) {  // a retryable status already reserved its slot
      const RetryDecision decision = decide_retry(exchange, last);
      if (!decision.retry) break;
      if (decision.counted && !budget.try_start_retry()) break;
      retry_counted = decision.counted;
    }
    session.worker().metrics().retried(
        upstream.series, static_cast<std::size_t>(std::countr_zero(last.retry_reason)));
    asio::steady_timer backoff(session.worker().context());
    backoff.expires_after(
        upstream::backoff_delay(exchange.attempts - 1, {}, session.worker().rng()));
    co_await backoff.async_wait(net::use_nothrow_io);
  }
  if (retry_counted) budget.on_retry_end();

  int status = 503;  // no endpoint could take the request at all
  if (exchange.attempts > 0) status = last.outcome.kind == OutcomeKind::timeout ? 504 : 502;
  if (exchange.body_error != 0) status = exchange.body_error;
  // The connection stays usable only if the request's body was read in full.
  const bool keep_alive = exchange.client_keep_alive && !session.worker().draining() &&
                          (exchange.body_complete || exchange.body_pumped) &&
                          exchange.body_error == 0;
  if (keep_alive && !exchange.body_streamed) {
    session.consume(session.head_consumed() + exchange.body_in_buffer);
  }
  const bool kept = co_await answer(exchange, status, keep_alive);
  co_return finish(exchange, kept);
}

}  // namespace flotilla::gateway
