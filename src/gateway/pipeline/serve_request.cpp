#include "gateway/pipeline/serve_request.hpp"

#include "gateway/error_response.hpp"
#include "gateway/pipeline/request_body.hpp"
#include "gateway/pipeline/response_body.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "gateway/proxy/proxy_request.hpp"
#include "gateway/snapshot.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {
namespace {

using RequestStages = std::vector<std::shared_ptr<const RequestStage>>;

// Runs stages[at...] while they decide at once and continue; returns the first other verdict,
// with `at` on the stage that gave it (kContinue: `at` is past the end).
Verdict run_stages_now(RequestContext& ctx, const RequestStages& stages, std::size_t& at) {
  for (; at < stages.size(); ++at) {
    const Verdict verdict = stages[at]->on_request(ctx);
    if (verdict != Verdict::kContinue) return verdict;
  }
  return Verdict::kContinue;
}

const StageChain* listener_chain(const RequestContext& ctx) {
  if (!ctx.snapshot || ctx.listener_index >= ctx.snapshot->listeners.size()) return nullptr;
  return &ctx.snapshot->listeners[ctx.listener_index].chain;
}

// Routes the request (ctx.route), or false when no route matches.
bool route(RequestContext& ctx) {
  const std::uint32_t index =
      ctx.snapshot ? ctx.snapshot->table.match(ctx.head.host, ctx.path) : RouteTable::kNoRoute;
  if (index == RouteTable::kNoRoute) return false;
  ctx.route = &ctx.snapshot->routes[index];
  ctx.route_index = index;
  ctx.record.route = ctx.worker.route_series(index);
  return true;
}

// Answers from the pipeline itself (404, 500): the answer lives in the context, so the
// coroutine that sends it may outlive the caller's frame.
net::Awaitable<void> answer_error(RequestContext& ctx, int status) {
  ctx.answer = LocalAnswer{};
  ctx.answer.status = status;
  ctx.answer.error = true;
  return send_answer(ctx, ctx.answer);
}

// The route's terminal: the proxy, else the 500 of a route without one (the builder ends every
// route without an upstream with a stage that answers).
net::Awaitable<void> run_terminal(RequestContext& ctx) {
  if (ctx.route->proxy) return proxy_request(ctx, ctx.worker.upstream(ctx.route->upstream));
  return answer_error(ctx, 500);
}

enum class Phase : std::uint8_t { kListener, kRoute };

// The rest of a request once a stage answered or must wait: from `phase`'s chain, stopped at
// stage `at` with `verdict`, on through routing, the route's stages and the terminal.
net::Awaitable<void> serve_rest(RequestContext& ctx, Phase phase, std::size_t at, Verdict verdict) {
  for (;;) {
    const RequestStages& stages =
        phase == Phase::kListener ? listener_chain(ctx)->request : ctx.route->chain.request;
    while (verdict == Verdict::kAsync) {
      verdict = co_await stages[at]->on_request_async(ctx);
      if (verdict != Verdict::kContinue) break;
      ++at;
      verdict = run_stages_now(ctx, stages, at);
    }
    if (verdict == Verdict::kAnswer) co_await send_answer(ctx, ctx.answer);
    if (verdict != Verdict::kContinue) co_return;
    if (phase == Phase::kRoute) break;
    if (!route(ctx)) {
      co_await answer_error(ctx, 404);
      co_return;
    }
    phase = Phase::kRoute;
    at = 0;
    verdict = run_stages_now(ctx, ctx.route->chain.request, at);
  }
  co_await run_terminal(ctx);
}

}  // namespace

net::Awaitable<Verdict> RequestStage::on_request_async(RequestContext&) const {
  co_return Verdict::kContinue;
}

void run_response_head_stages(RequestContext& ctx, int status) {
  // The listener's rules first, then the route's: the inner rule wins, as in nginx.
  if (const StageChain* chain = listener_chain(ctx)) {
    for (const auto& stage : chain->response_head) {
      stage->on_response_head(ctx, status, ctx.scratch.response_edits);
    }
  }
  if (ctx.route) {
    for (const auto& stage : ctx.route->chain.response_head) {
      stage->on_response_head(ctx, status, ctx.scratch.response_edits);
    }
  }
}

net::Awaitable<void> send_answer(RequestContext& ctx, const LocalAnswer& answer) {
  HeaderEdits& edits = ctx.scratch.response_edits;
  std::string_view body = answer.body;
  if (answer.error) {
    ErrorBody error;
    error.status = answer.status;
    error.json = ctx.json_errors;
    error.detail = answer.detail;
    body = write_error_body(ctx.scratch.text, error);
    edits.add("Content-Type", error.json ? "application/json" : "text/plain; charset=utf-8");
  } else if (!answer.content_type.empty()) {
    edits.add("Content-Type", answer.content_type);
  }
  if (!answer.location.empty()) edits.add("Location", answer.location);
  if (answer.retry_after_seconds > 0) {
    std::string& line = edits.begin_line("Retry-After");
    line += std::to_string(answer.retry_after_seconds);
    edits.end_line();
  }
  edits.add_lines(answer.extra_lines);
  if (!ctx.scratch.request_id.empty() && !edits.added("X-Request-Id")) {
    edits.add("X-Request-Id", ctx.scratch.request_id);
  }
  run_response_head_stages(ctx, answer.status);
  // An answer made before the body was read leaves the body in the connection: close it then.
  if (!ctx.body.consumed()) ctx.sink.close_after();
  ResponseHeadOut head;
  head.status = answer.status;
  head.edits = &edits;
  head.length = BodyLength::kKnown;
  head.content_length = body.size();
  BodyStages stages = start_body_stages(ctx, head);
  ctx.sink.head(head);
  co_await stages.body(ctx.sink, body, true);
}

// Not a coroutine: while every stage decides at once and continues (the common case), the request
// costs no frame of the pipeline's own; the terminal's coroutine is returned as it is.
net::Awaitable<void> serve_request(RequestContext& ctx) {
  // A stage's answer made at once (a static file from memory, a redirect) is sent by
  // send_answer's own coroutine, without serve_rest's.
  std::size_t at = 0;
  if (const StageChain* chain = listener_chain(ctx)) {
    const Verdict verdict = run_stages_now(ctx, chain->request, at);
    if (verdict == Verdict::kAnswer) return send_answer(ctx, ctx.answer);
    if (verdict != Verdict::kContinue) return serve_rest(ctx, Phase::kListener, at, verdict);
  }
  if (!route(ctx)) return answer_error(ctx, 404);
  at = 0;
  const Verdict verdict = run_stages_now(ctx, ctx.route->chain.request, at);
  if (verdict == Verdict::kAnswer) return send_answer(ctx, ctx.answer);
  if (verdict != Verdict::kContinue) return serve_rest(ctx, Phase::kRoute, at, verdict);
  return run_terminal(ctx);
}

}  // namespace flotilla::gateway
