// `allow:` / `deny:` on a listener or a route: a client address in `deny`, or outside a given
// `allow`, is answered 403. The address is the request context's client_address() (the peer,
// or what trusted proxies and the PROXY protocol said); never looks at anything else.
#include "gateway/stages/deny.hpp"
#include "gateway/stages/stages.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {
namespace {

class AccessRulesStage final : public RequestStage {
 public:
  AccessRulesStage(net::CidrSet allow, net::CidrSet deny)
      : allow_(std::move(allow)), deny_(std::move(deny)) {}
  std::string_view name() const noexcept override { return "access_rules"; }
  Verdict on_request(RequestContext& ctx) const override {
    const net::IpAddress& client = ctx.client_address();
    if (deny_.contains(client)) {
      return deny_request(ctx, observe::DenyReason::denied_address, 403,
                          "your address is not allowed here");
    }
    if (!allow_.empty() && !allow_.contains(client)) {
      return deny_request(ctx, observe::DenyReason::not_allowed_address, 403,
                          "your address is not allowed here");
    }
    return Verdict::kContinue;
  }

 private:
  net::CidrSet allow_;
  net::CidrSet deny_;
};

}  // namespace

net::CidrSet cidr_set(const std::vector<std::string>& blocks) {
  std::vector<net::Cidr> parsed;
  parsed.reserve(blocks.size());
  for (const std::string& block : blocks) {
    // The config checked each block at load: one that does not parse here cannot happen.
    if (const auto cidr = net::Cidr::parse(block)) parsed.push_back(*cidr);
  }
  return net::CidrSet(std::move(parsed));
}

std::shared_ptr<const RequestStage> make_access_rules_stage(const config::AccessRules& rules) {
  return std::make_shared<AccessRulesStage>(cidr_set(rules.allow), cidr_set(rules.deny));
}

Verdict deny_request(RequestContext& ctx, observe::DenyReason reason, int status,
                     std::string_view detail, std::string_view extra_lines) {
  ctx.worker.metrics().request_denied(ctx.record.route, reason);
  ctx.answer = LocalAnswer{};
  ctx.answer.status = status;
  ctx.answer.error = true;
  ctx.answer.detail = detail;
  ctx.answer.extra_lines = extra_lines;
  return Verdict::kAnswer;
}

}  // namespace flotilla::gateway
