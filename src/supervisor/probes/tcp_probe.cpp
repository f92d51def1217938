// The tcp probe: success when a TCP connect to the instance completes within the timeout (also
// the implicit readiness check of a service with ports and no probes). Closes at once.
#include <asio/ip/tcp.hpp>

#include "net/async.hpp"
#include "net/watchdog.hpp"
#include "supervisor/probes/probe.hpp"

namespace flotilla::supervisor {
namespace {

class TcpProbe final : public ProbeCheck {
 public:
  explicit TcpProbe(ProbeTarget target) : target_(std::move(target)) {}

  asio::awaitable<ProbeResult> run() override {
    std::error_code ec;
    const asio::ip::address address = asio::ip::make_address(target_.host, ec);
    if (ec || target_.port == 0) co_return ProbeResult{false, "no address to probe"};
    asio::ip::tcp::socket socket(target_.executor);
    net::Watchdog watchdog(target_.executor, [&socket] {
      std::error_code ignored;
      socket.close(ignored);
    });
    watchdog.expires_after(target_.timeout);
    auto [error] = co_await socket.async_connect({address, target_.port}, net::use_nothrow);
    watchdog.disarm();
    if (error)
      co_return ProbeResult{false, watchdog.expired() ? "connect timeout" : error.message()};
    co_return ProbeResult{true, "connected"};
  }

 private:
  ProbeTarget target_;
};

}  // namespace

std::unique_ptr<ProbeCheck> make_tcp_probe(ProbeTarget target) {
  return std::make_unique<TcpProbe>(std::move(target));
}

}  // namespace flotilla::supervisor
