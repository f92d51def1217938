// The demo app's route table. One line per endpoint; handlers live in *_handlers.cpp.
// Must never hold endpoint logic beyond the cross-cutting /api/* switches.
#include "demo/demo_routes.hpp"

#include <array>
#include <random>
#include <string>

#include "demo/demo_handlers.hpp"
#include "demo/json_response.hpp"

namespace flotilla::demo {
namespace {

using Handler = asio::awaitable<void> (*)(Exchange&);

// Allowed methods as bits; HEAD is allowed wherever GET is (RFC 9110 §9.3.2).
constexpr unsigned kGet = 1;
constexpr unsigned kPost = 2;
constexpr unsigned kPut = 4;

struct Route {
  std::string_view path;
  bool prefix;  // `path` is a prefix (e.g. /api/status/{code})
  unsigned methods;
  Handler handler;
};

constexpr std::array kRoutes = {
    Route{"/health", false, kGet, handle_health},
    Route{"/ready", false, kGet, handle_ready},
    Route{"/api/hello", false, kGet, handle_hello},
    Route{"/api/slow", false, kGet, handle_slow},
    Route{"/api/status/", true, kGet | kPost, handle_status},
    Route{"/api/bytes", false, kGet, handle_bytes},
    Route{"/api/echo", false, kGet, handle_echo_head},
    Route{"/api/echo", false, kPost | kPut, handle_echo_body},
    Route{"/api/cpu", false, kGet, handle_cpu},
    Route{"/api/alloc", false, kGet | kPost, handle_alloc},
    Route{"/api/crash", false, kGet | kPost, handle_crash},
    Route{"/ws", false, kGet, handle_websocket},
    Route{"/admin/", true, kGet | kPost, handle_admin},
};

unsigned method_bit(http::Method method) {
  switch (method) {
    case http::Method::kGet:
    case http::Method::kHead:
      return kGet;
    case http::Method::kPost:
      return kPost;
    case http::Method::kPut:
      return kPut;
    default:
      return 0;
  }
}

std::string allow_value(unsigned methods) {
  std::string allow;
  auto add = [&allow](std::string_view name) {
    if (!allow.empty()) allow += ", ";
    allow += name;
  };
  if (methods & kGet) add("GET, HEAD");
  if (methods & kPost) add("POST");
  if (methods & kPut) add("PUT");
  return allow;
}

bool roll(double rate) {
  if (rate <= 0.0) return false;
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine) < rate;
}

// The /admin/slow and /admin/fail switches. True when the request was answered here.
asio::awaitable<bool> apply_api_switches(Exchange& exchange) {
  const DemoSwitches& switches = exchange.context().switches;
  if (const auto delay = switches.slow_ms.load(std::memory_order_relaxed); delay > 0) {
    co_await sleep_for(exchange, std::chrono::milliseconds(delay));
  }
  if (!roll(switches.fail_rate.load(std::memory_order_relaxed))) co_return false;
  co_await exchange.reply(
      json_error(switches.fail_status.load(std::memory_order_relaxed), "injected failure"));
  co_return true;
}

}  // namespace

asio::awaitable<void> dispatch(Exchange& exchange) {
  const std::string_view path = exchange.target().path;
  const unsigned method = method_bit(exchange.request().method);
  unsigned allowed = 0;
  const Route* match = nullptr;
  for (const Route& route : kRoutes) {
    const bool path_matches = route.prefix ? path.starts_with(route.path) : path == route.path;
    if (!path_matches) continue;
    allowed |= route.methods;
    if ((route.methods & method) != 0) {
      match = &route;
      break;
    }
  }
  if (match == nullptr && allowed == 0) {
    co_await exchange.reply(json_error(404, "not found"));
    co_return;
  }
  if (match == nullptr) {
    Reply reply = json_error(405, "method not allowed");
    reply.fields.emplace_back("Allow", allow_value(allowed));
    co_await exchange.reply(reply);
    co_return;
  }
  if (path.starts_with("/api/")) {
    const bool answered = co_await apply_api_switches(exchange);
    if (answered) co_return;
  }
  co_await match->handler(exchange);
}

}  // namespace flotilla::demo
