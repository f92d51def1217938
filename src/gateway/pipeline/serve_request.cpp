#include "gateway/pipeline/serve_request.hpp"

#include "gateway/error_response.hpp"
#include "gateway/pipeline/request_body.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "gateway/proxy/proxy_request.hpp"
#include "gateway/snapshot.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {
namespace {

// Runs `stages` in order until one does not continue.
net::Awaitable<Verdict> run_request_stages(
    RequestContext& ctx, const std::vector<std::shared_ptr<const RequestStage>>& stages) {
  for (const auto& stage : stages) {
    Verdict verdict = stage->on_request(ctx);
    if (verdict == Verdict::kAsync) verdict = co_await stage->on_request_async(ctx);
    if (verdict != Verdict::kContinue) co_return verdict;
  }
  co_return Verdict::kContinue;
}

const StageChain* listener_chain(const RequestContext& ctx) {
  if (!ctx.snapshot || ctx.listener_index >= ctx.snapshot->listeners.size()) return nullptr;
  return &ctx.snapshot->listeners[ctx.listener_index].chain;
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
  ctx.sink.head(head);
  co_await ctx.sink.body(body, true);
}

net::Awaitable<void> serve_request(RequestContext& ctx) {
  if (const StageChain* chain = listener_chain(ctx)) {
    const Verdict verdict = co_await run_request_stages(ctx, chain->request);
    if (verdict == Verdict::kAnswer) co_await send_answer(ctx, ctx.answer);
    if (verdict != Verdict::kContinue) co_return;
  }
  const std::uint32_t route =
      ctx.snapshot ? ctx.snapshot->table.match(ctx.head.host, ctx.path) : RouteTable::kNoRoute;
  if (route == RouteTable::kNoRoute) {
    LocalAnswer not_found;
    not_found.status = 404;
    not_found.error = true;
    co_await send_answer(ctx, not_found);
    co_return;
  }
  ctx.route = &ctx.snapshot->routes[route];
  ctx.route_index = route;
  ctx.record.route = ctx.worker.route_series(route);

  const Verdict verdict = co_await run_request_stages(ctx, ctx.route->chain.request);
  if (verdict == Verdict::kAnswer) co_await send_answer(ctx, ctx.answer);
  if (verdict != Verdict::kContinue) co_return;
  if (ctx.route->proxy) {
    co_await proxy_request(ctx, ctx.worker.upstream(ctx.route->upstream));
    co_return;
  }
  // The builder ends every route without an upstream with a stage that answers.
  LocalAnswer unhandled;
  unhandled.status = 500;
  unhandled.error = true;
  co_await send_answer(ctx, unhandled);
}

}  // namespace flotilla::gateway
