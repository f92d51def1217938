// The listener's health path, answered by the gateway itself: `200 healthy` whatever the
// upstreams say (a load balancer in front asks whether this flotilla is up).
#include "gateway/stages/stages.hpp"

#include "gateway/pipeline/request_context.hpp"

namespace flotilla::gateway {
namespace {

class HealthStage final : public RequestStage {
 public:
  explicit HealthStage(std::string path) : path_(std::move(path)) {}
  std::string_view name() const noexcept override { return "health"; }
  Verdict on_request(RequestContext& ctx) const override {
    if (ctx.path != path_) return Verdict::kContinue;
    ctx.answer = LocalAnswer{};
    ctx.answer.status = 200;
    ctx.answer.body = "healthy\n";
    ctx.answer.content_type = "text/plain";
    return Verdict::kAnswer;
  }

 private:
  std::string path_;
};

}  // namespace

std::shared_ptr<const RequestStage> make_health_stage(std::string path) {
  return std::make_shared<HealthStage>(std::move(path));
}

}  // namespace flotilla::gateway
