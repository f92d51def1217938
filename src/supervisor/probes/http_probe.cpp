// The http probe: GET path on the instance, success on an expected status (default any 2xx/3xx,
// like Kubernetes' httpGet). One client::exchange per run, the status only; never retries.
#include <algorithm>

#include <fmt/format.h>

#include "client/exchange.hpp"
#include "supervisor/probes/probe.hpp"

namespace flotilla::supervisor {
namespace {

class HttpProbe final : public ProbeCheck {
 public:
  HttpProbe(ProbeTarget target, std::string path, std::vector<int> expected)
      : target_(std::move(target)), path_(std::move(path)), expected_(std::move(expected)) {}

  asio::awaitable<ProbeResult> run() override {
    if (target_.host.empty() || target_.port == 0) {
      co_return ProbeResult{false, "no address to probe"};
    }
    client::Request request;
    request.target = path_;
    client::Options options;
    options.connect_timeout = target_.timeout;
    options.timeout = target_.timeout;
    options.read_body = false;
    const client::Result result = co_await client::exchange(
        target_.executor, client::Endpoint::tcp(target_.host, target_.port), request, options);
    if (!result.ok()) co_return ProbeResult{false, result.message};
    const int status = result.response.status;
    const bool ok = expected_.empty()
                        ? (status >= 200 && status < 400)
                        : std::find(expected_.begin(), expected_.end(), status) != expected_.end();
    co_return ProbeResult{ok, fmt::format("GET {} → status {}", path_, status)};
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
