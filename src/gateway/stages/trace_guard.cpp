// TRACE echoes the request back, cookies and credentials included, where a script on the page
// may read them (cross-site tracing): answered 405 unless the route sets `allow_trace: true`.
#include "gateway/stages/stages.hpp"

#include "gateway/pipeline/request_context.hpp"

namespace flotilla::gateway {
namespace {

class TraceGuardStage final : public RequestStage {
 public:
  std::string_view name() const noexcept override { return "trace_guard"; }
  Verdict on_request(RequestContext& ctx) const override {
    if (ctx.head.method != http::Method::kTrace) return Verdict::kContinue;
    ctx.answer = LocalAnswer{};
    ctx.answer.status = 405;
    ctx.answer.error = true;
    ctx.answer.extra_lines = "Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH\r\n";
    return Verdict::kAnswer;
  }
};

}  // namespace

std::shared_ptr<const RequestStage> make_trace_guard_stage() {
  static const auto stage = std::make_shared<TraceGuardStage>();
  return stage;
}

}  // namespace flotilla::gateway
