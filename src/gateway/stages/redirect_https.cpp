// A plain listener's `redirect_https: true`: every request (the listener's own health and ready
// paths excepted: they come first in the chain) goes to the same host and target over HTTPS,
// on the first TLS listener's port — 301 for GET and HEAD, 308 otherwise, so a redirected POST
// keeps its method and body (RFC 9110 §15.4.9).
#include "gateway/stages/stages.hpp"

#include "gateway/pipeline/request_context.hpp"
#include "gateway/request_target.hpp"
#include "gateway/stages/value_template.hpp"
#include "gateway/workspace.hpp"

namespace flotilla::gateway {
namespace {

class RedirectHttpsStage final : public RequestStage {
 public:
  explicit RedirectHttpsStage(std::uint16_t port)
      : port_suffix_(port == 443 ? std::string() : ":" + std::to_string(port)) {}
  std::string_view name() const noexcept override { return "redirect_https"; }

  Verdict on_request(RequestContext& ctx) const override {
    ctx.answer = LocalAnswer{};
    const std::string_view host = host_without_port(ctx.head.host);
    if (host.empty()) {  // HTTP/1.0 without a Host: there is nowhere to send it
      ctx.answer.status = 400;
      ctx.answer.error = true;
      ctx.answer.detail = "A Host header is needed to redirect to HTTPS";
      return Verdict::kAnswer;
    }
    std::string& location = ctx.scratch.location;
    location.assign("https://");
    location += host;
    location += port_suffix_;
    location += origin_form(ctx.head, ctx.ws.target);
    const bool safe =
        ctx.head.method == http::Method::kGet || ctx.head.method == http::Method::kHead;
    ctx.answer.status = safe ? 301 : 308;
    ctx.answer.location = location;
    ctx.answer.content_type = {};
    return Verdict::kAnswer;
  }

 private:
  std::string port_suffix_;
};

}  // namespace

std::shared_ptr<const RequestStage> make_redirect_https_stage(std::uint16_t https_port) {
  return std::make_shared<RedirectHttpsStage>(https_port);
}

}  // namespace flotilla::gateway
