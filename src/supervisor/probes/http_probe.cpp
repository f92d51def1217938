// The http probe: GET path on the instance, success on an expected status (default any 2xx/3xx,
// like Kubernetes' httpGet). Reuses the gateway's control-plane http_check; never retries.
#include <algorithm>

#include <fmt/format.h>

#include "gateway/http_check.hpp"
#include "supervisor/probes/probe.hpp"

namespace flotilla::supervisor {
namespace {

class HttpProbe final : public ProbeCheck {
 public:
  HttpProbe(ProbeTarget target, std::string path, std::vector<int> expected)
      : target_(std::move(target)), path_(std::move(path)), expected_(std::move(expected)) {}

  asio::awaitable<ProbeResult> run() override {
    std::error_code ec;
    const asio::ip::address address = asio::ip::make_address(target_.host, ec);
    if (ec || target_.port == 0) co_return ProbeResult{false, "no address to probe"};
    const asio::ip::tcp::endpoint endpoint(address, target_.port);
    const gateway::HttpCheckResult result = co_await gateway::http_check(
        target_.executor, endpoint, fmt::format("{}:{}", target_.host, target_.port), path_,
        target_.timeout);
    if (result.status == 0) co_return ProbeResult{false, result.error};
    const bool ok = expected_.empty() ? (result.status >= 200 && result.status < 400)
                                      : std::find(expected_.begin(), expected_.end(),
                                                  result.status) != expected_.end();
    co_return ProbeResult{ok, fmt::format("GET {} → status {}", path_, result.status)};
  }

 private:
  ProbeTarget target_;
  std::string path_;
  std::vector<int> expected_;
};

}  // namespace

std::unique_ptr<ProbeCheck> make_http_probe(ProbeTarget target, std::string path,
                                            std::vector<int> expected_status) {
  return std::make_unique<HttpProbe>(std::move(target), std::move(path),
                                     std::move(expected_status));
}

}  // namespace flotilla::supervisor
