// Strict-Transport-Security on every response of a TLS listener (RFC 6797), replacing one the
// upstream sent: the listener's policy is the site's policy.
#include "gateway/stages/stages.hpp"

#include <chrono>

#include "gateway/pipeline/request_context.hpp"

namespace flotilla::gateway {
namespace {

class HstsStage final : public ResponseHeadStage {
 public:
  explicit HstsStage(const config::Hsts& hsts) {
    value_ = "max-age=" +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(hsts.max_age).count());
    if (hsts.include_subdomains) value_ += "; includeSubDomains";
    if (hsts.preload) value_ += "; preload";
  }
  std::string_view name() const noexcept override { return "hsts"; }
  void on_response_head(RequestContext&, int, HeaderEdits& edits) const override {
    edits.set("Strict-Transport-Security", value_);
  }

 private:
  std::string value_;
};

}  // namespace

std::shared_ptr<const ResponseHeadStage> make_hsts_stage(const config::Hsts& hsts) {
  return std::make_shared<HstsStage>(hsts);
}

}  // namespace flotilla::gateway
