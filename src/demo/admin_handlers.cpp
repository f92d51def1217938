// /admin/* switches that make the demo app unready, unhealthy, failing or slow on demand.
// Each answers the whole new state; none of them touches connections or the listener.
#include <string>

#include "demo/demo_handlers.hpp"
#include "demo/json_response.hpp"

namespace flotilla::demo {
namespace {

constexpr std::uint64_t kMaxSlowMs = 3'600'000;

nlohmann::json state_json(const DemoContext& context) {
  const DemoSwitches& s = context.switches;
  const double rate = s.fail_rate.load(std::memory_order_relaxed);
  return {{"ready", s.ready.load(std::memory_order_relaxed)},
          {"healthy", s.healthy.load(std::memory_order_relaxed)},
          {"fail", {{"status", s.fail_status.load(std::memory_order_relaxed)}, {"rate", rate}}},
          {"slow_ms", s.slow_ms.load(std::memory_order_relaxed)},
          {"held_mb", context.ballast.held_bytes() / kMiB}};
}

// nullopt: applied. A message: the 400 to answer.
std::optional<std::string> apply_fail(DemoSwitches& switches, std::string_view query) {
  const auto status = uint_param(query, "status", 500, 599);
  if (!status || *status < 200) return "status must be a number in 200..599";
  double rate = 1.0;
  if (const auto text = query_value(query, "rate")) {
    const auto parsed = parse_fraction(*text);
    if (!parsed || *parsed > 1.0) return "rate must be a fraction in 0..1";
    rate = *parsed;
  }
  switches.fail_status.store(static_cast<int>(*status), std::memory_order_relaxed);
  switches.fail_rate.store(rate, std::memory_order_relaxed);
  return std::nullopt;
}

}  // namespace

asio::awaitable<void> handle_admin(Exchange& exchange) {
  const auto [path, query] = exchange.target();
  const std::string_view action = path.substr(std::string_view("/admin/").size());
  DemoSwitches& switches = exchange.context().switches;
  std::optional<std::string> error;
  if (action == "ready" || action == "unready") {
    switches.ready.store(action == "ready", std::memory_order_relaxed);
  } else if (action == "healthy" || action == "unhealthy") {
    switches.healthy.store(action == "healthy", std::memory_order_relaxed);
  } else if (action == "fail") {
    error = apply_fail(switches, query);
  } else if (action == "slow") {
    if (const auto ms = uint_param(query, "ms", 0, kMaxSlowMs)) {
      switches.slow_ms.store(*ms, std::memory_order_relaxed);
    } else {
      error = "ms must be a whole number of milliseconds";
    }
  } else if (action != "state") {
    co_await exchange.reply(json_error(404, "no such switch"));
    co_return;
  }
  if (error) {
    co_await exchange.reply(json_error(400, *error));
    co_return;
  }
  co_await exchange.reply(json_reply(200, state_json(exchange.context())));
}

}  // namespace flotilla::demo
