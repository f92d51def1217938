// The listener's readiness path: 200 while some upstream of the current snapshot has an endpoint
// to send to, 503 while none has (the seed's `/ready`), so a load balancer stops sending here.
#include "gateway/stages/stages.hpp"

#include "gateway/pipeline/request_context.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {
namespace {

class ReadyStage final : public RequestStage {
 public:
  explicit ReadyStage(std::string path) : path_(std::move(path)) {}
  std::string_view name() const noexcept override { return "ready"; }
  Verdict on_request(RequestContext& ctx) const override {
    if (ctx.path != path_) return Verdict::kContinue;
    const bool ready = ctx.worker.any_endpoint_available();
    ctx.answer = LocalAnswer{};
    ctx.answer.status = ready ? 200 : 503;
    ctx.answer.body = ready ? "ready\n" : "not ready\n";
    ctx.answer.content_type = "text/plain";
    return Verdict::kAnswer;
  }

 private:
  std::string path_;
};

}  // namespace

std::shared_ptr<const RequestStage> make_ready_stage(std::string path) {
  return std::make_shared<ReadyStage>(std::move(path));
}

}  // namespace flotilla::gateway
