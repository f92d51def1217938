// A route's `block: { path_regex, user_agent, header }`: a small request filter for the seed's
// "WAF" rules (scanners' user agents, probes for /wp-admin or /.env). A request matching any
// rule is answered 403. The patterns were compiled by the control thread (ECMAScript regular
// expressions, searched anywhere in the value); never a rule engine beyond that.
#include <regex>

#include "gateway/stages/deny.hpp"
#include "gateway/stages/stages.hpp"
#include "http/ascii.hpp"

namespace flotilla::gateway {
namespace {

constexpr auto kRegexFlags = std::regex::ECMAScript | std::regex::optimize;

bool regex_found(const std::regex& pattern, std::string_view text) {
  return std::regex_search(text.begin(), text.end(), pattern);
}

class RequestFilterStage final : public RequestStage {
 public:
  explicit RequestFilterStage(const config::RequestBlock& block) {
    if (block.path_regex) path_.emplace(*block.path_regex, kRegexFlags);
    if (block.user_agent) user_agent_.emplace(*block.user_agent, kRegexFlags | std::regex::icase);
    for (const auto& [header, pattern] : block.headers) {
      headers_.push_back({header, std::regex(pattern, kRegexFlags)});
    }
  }
  std::string_view name() const noexcept override { return "request_filter"; }
  Verdict on_request(RequestContext& ctx) const override {
    if (path_ && regex_found(*path_, ctx.head.target)) return blocked(ctx);
    if (!user_agent_ && headers_.empty()) return Verdict::kContinue;
    for (const http::Header& header : ctx.head.headers) {
      if (user_agent_ && header.id == http::HeaderId::kUserAgent &&
          regex_found(*user_agent_, header.value)) {
        return blocked(ctx);
      }
      for (const HeaderRule& rule : headers_) {
        if (http::ascii_iequals(header.name, rule.name) &&
            regex_found(rule.pattern, header.value)) {
          return blocked(ctx);
        }
      }
    }
    return Verdict::kContinue;
  }

 private:
  struct HeaderRule {
    std::string name;
    std::regex pattern;
  };
  static Verdict blocked(RequestContext& ctx) {
    return deny_request(ctx, observe::DenyReason::blocked, 403, "this request is blocked");
  }

  std::optional<std::regex> path_;
  std::optional<std::regex> user_agent_;
  std::vector<HeaderRule> headers_;
};

}  // namespace

std::shared_ptr<const RequestStage> make_request_filter_stage(const config::RequestBlock& block) {
  return std::make_shared<RequestFilterStage>(block);
}

}  // namespace flotilla::gateway
