#include "gateway/active_health_checker.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>

#include "client/exchange.hpp"
#include "net/async.hpp"

namespace flotilla::gateway {
namespace {

struct Target {
  std::string upstream;
  std::string key;
  asio::ip::tcp::endpoint endpoint;
  config::HealthCheck check;
};

// One GET of the check path on a fresh connection; the status only (the body is not read).
asio::awaitable<client::Result> check_once(asio::any_io_executor executor, const Target& target) {
  client::Request request;
  request.target = target.check.path;
  request.headers = {{"Host", target.key}, {"User-Agent", "flotilla-health-check"}};
  client::Options options;
  options.connect_timeout = target.check.timeout;
  options.timeout = target.check.timeout;
  options.read_body = false;
  const client::Endpoint endpoint =
      client::Endpoint::tcp(target.endpoint.address().to_string(), target.endpoint.port());
  co_return co_await client::exchange(std::move(executor), endpoint, std::move(request), options);
}

asio::awaitable<void> check_loop(asio::io_context& control, Target target,
                                 const std::uint64_t& generation, std::uint64_t my_generation,
                                 ActiveHealthChecker::Report report) {
  asio::steady_timer timer(control);
  bool up = true;
  std::uint32_t successes = 0;
  std::uint32_t failures = 0;
  while (generation == my_generation) {
    const client::Result result = co_await check_once(control.get_executor(), target);
    const int status = result.ok() ? result.response.status : 0;
    const auto& expected = target.check.status;
    const bool ok =
        status != 0 && std::find(expected.begin(), expected.end(), status) != expected.end();
    if (generation != my_generation) break;
    if (ok) {
      failures = 0;
      if (!up && ++successes >= target.check.rise) {
        up = true;
        spdlog::info("upstream {}: endpoint {} is up (health check passed {} times)",
                     target.upstream, target.key, target.check.rise);
        report(target.upstream, target.key, true);
      }
    } else {
      successes = 0;
      if (up && ++failures >= target.check.fall) {
        up = false;
        spdlog::warn("upstream {}: endpoint {} is down (health check {}: {})", target.upstream,
                     target.key, target.check.path,
                     status != 0 ? fmt::format("status {}", status) : result.message);
        report(target.upstream, target.key, false);
      }
    }
    timer.expires_after(target.check.interval);
    co_await timer.async_wait(net::use_nothrow);
  }
}

}  // namespace

void ActiveHealthChecker::configure(const config::Spec& spec, const GatewaySnapshot& snapshot) {
  const std::uint64_t generation = ++generation_;
  for (const config::Upstream& upstream : spec.upstreams) {
    if (!upstream.health_check) continue;
    for (const UpstreamTarget& target : snapshot.upstreams) {
      if (target.spec.name != upstream.name) continue;
      for (std::size_t i = 0; i < target.spec.endpoints.size(); ++i) {
        Target t{upstream.name, target.spec.endpoints[i].key, target.addresses[i],
                 *upstream.health_check};
        asio::co_spawn(control_,
                       check_loop(control_, std::move(t), generation_, generation, report_),
                       asio::detached);
      }
    }
  }
}

}  // namespace flotilla::gateway
