// `headers:` rules of a route or listener: `remove`, then `set` (replaces every field of the
// name, received or added before), then `add`, with values expanded per request. One class for
// both directions: on the request sent upstream and on every response.
#include "gateway/stages/stages.hpp"

#include "gateway/pipeline/request_context.hpp"
#include "gateway/stages/value_template.hpp"

namespace flotilla::gateway {
namespace {

void apply(const config::HeaderRuleSet& rules, RequestContext& ctx, HeaderEdits& edits) {
  for (const std::string& name : rules.remove) edits.remove(name);
  for (const config::HeaderEdit& edit : rules.set) {
    edits.remove(edit.name);
    append_expanded(edits.begin_line(edit.name), edit.value, ctx);
    edits.end_line();
  }
  for (const config::HeaderEdit& edit : rules.add) {
    append_expanded(edits.begin_line(edit.name), edit.value, ctx);
    edits.end_line();
  }
}

class RequestHeaderRules final : public UpstreamRequestStage {
 public:
  explicit RequestHeaderRules(config::HeaderRuleSet rules) : rules_(std::move(rules)) {}
  std::string_view name() const noexcept override { return "request_headers"; }
  void on_upstream_request(RequestContext& ctx, HeaderEdits& edits) const override {
    apply(rules_, ctx, edits);
  }

 private:
  config::HeaderRuleSet rules_;
};

class ResponseHeaderRules final : public ResponseHeadStage {
 public:
  explicit ResponseHeaderRules(config::HeaderRuleSet rules) : rules_(std::move(rules)) {}
  std::string_view name() const noexcept override { return "response_headers"; }
  void on_response_head(RequestContext& ctx, int, HeaderEdits& edits) const override {
    apply(rules_, ctx, edits);
  }

 private:
  config::HeaderRuleSet rules_;
};

}  // namespace

std::shared_ptr<const UpstreamRequestStage> make_request_header_rules(config::HeaderRuleSet rules) {
  return std::make_shared<RequestHeaderRules>(std::move(rules));
}

std::shared_ptr<const ResponseHeadStage> make_response_header_rules(config::HeaderRuleSet rules) {
  return std::make_shared<ResponseHeaderRules>(std::move(rules));
}

}  // namespace flotilla::gateway
