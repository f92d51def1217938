// A route's `methods: [GET, HEAD, ...]`: any other method is answered 405 with `Allow` naming
// the list (RFC 9110 §15.5.6). GET admits HEAD, as nginx's limit_except does. Compares the
// method's text, so extension methods can be listed too.
#include <algorithm>

#include "gateway/stages/deny.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

class MethodListStage final : public RequestStage {
 public:
  explicit MethodListStage(std::vector<std::string> methods) : methods_(std::move(methods)) {
    const bool get = std::find(methods_.begin(), methods_.end(), "GET") != methods_.end();
    const bool head = std::find(methods_.begin(), methods_.end(), "HEAD") != methods_.end();
    if (get && !head) methods_.emplace_back("HEAD");
    allow_ = "Allow: ";
    for (std::size_t i = 0; i < methods_.size(); ++i) {
      if (i > 0) allow_ += ", ";
      allow_ += methods_[i];
    }
    allow_ += "\r\n";
  }
  std::string_view name() const noexcept override { return "method_list"; }
  Verdict on_request(RequestContext& ctx) const override {
    for (const std::string& method : methods_) {
      if (method == ctx.head.method_text) return Verdict::kContinue;
    }
    return deny_request(ctx, observe::DenyReason::method, 405,
                        "this method is not allowed on this path", allow_);
  }

 private:
  std::vector<std::string> methods_;
  std::string allow_;  // the whole field line
};

}  // namespace

std::shared_ptr<const RequestStage> make_method_list_stage(std::vector<std::string> methods) {
  return std::make_shared<MethodListStage>(std::move(methods));
}

}  // namespace flotilla::gateway
