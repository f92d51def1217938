// ACME HTTP-01 (RFC 8555 §8.3) on a plain listener: GET /.well-known/acme-challenge/TOKEN is
// answered with the key authorization the control thread published for TOKEN
// (acme/challenge_table), before any other stage (redirect_https included: the validation
// server follows no redirect to a certificate it cannot trust yet). Unknown tokens are a 404.
#include "gateway/stages/stages.hpp"

#include "acme/challenge_table.hpp"
#include "gateway/pipeline/request_context.hpp"

namespace flotilla::gateway {
namespace {

constexpr std::string_view kPrefix = "/.well-known/acme-challenge/";

class AcmeChallengeStage final : public RequestStage {
 public:
  std::string_view name() const noexcept override { return "acme_challenge"; }
  Verdict on_request(RequestContext& ctx) const override {
    if (!ctx.path.starts_with(kPrefix)) return Verdict::kContinue;
    const std::string_view token = ctx.path.substr(kPrefix.size());
    ctx.answer = LocalAnswer{};
    if (token.empty() || !acme::find_http_challenge(token, ctx.scratch.text)) {
      ctx.answer.status = 404;
      ctx.answer.error = true;
      return Verdict::kAnswer;
    }
    ctx.answer.status = 200;
    ctx.answer.body = ctx.scratch.text;
    ctx.answer.content_type = "application/octet-stream";
    return Verdict::kAnswer;
  }
};

}  // namespace

std::shared_ptr<const RequestStage> make_acme_challenge_stage() {
  return std::make_shared<AcmeChallengeStage>();
}

}  // namespace flotilla::gateway
