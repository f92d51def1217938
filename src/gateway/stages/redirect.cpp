// A route's `redirect: { to, status }`: the target expanded per request ($scheme, $host,
// $request_uri...), answered with the configured status and an empty body.
#include "gateway/stages/stages.hpp"

#include "gateway/pipeline/request_context.hpp"
#include "gateway/stages/value_template.hpp"

namespace flotilla::gateway {
namespace {

class RedirectStage final : public RequestStage {
 public:
  explicit RedirectStage(const config::RedirectAction& redirect) : redirect_(redirect) {}
  std::string_view name() const noexcept override { return "redirect"; }

  Verdict on_request(RequestContext& ctx) const override {
    std::string& location = ctx.scratch.location;
    location.clear();
    append_expanded(location, redirect_.to, ctx);
    ctx.answer = LocalAnswer{};
    ctx.answer.status = redirect_.status;
    ctx.answer.location = location;
    ctx.answer.content_type = {};
    return Verdict::kAnswer;
  }

 private:
  config::RedirectAction redirect_;
};

}  // namespace

std::shared_ptr<const RequestStage> make_redirect_stage(const config::RedirectAction& redirect) {
  return std::make_shared<RedirectStage>(redirect);
}

}  // namespace flotilla::gateway
