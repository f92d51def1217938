// Probe endpoints and the small /api/* endpoints of the demo app: each answers one JSON Reply.
// None of them streams; large bodies live in stream_handlers.cpp.
//
// The replies are built by plain functions and the coroutines only send them: besides reading
// better, this keeps braced JSON initializers out of coroutine bodies, which g++ 12 rejects
// ("array used as initializer").
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>
#include <asio/experimental/as_tuple.hpp>

#include "demo/demo_handlers.hpp"
#include "demo/json_response.hpp"

namespace flotilla::demo {
namespace {

constexpr std::uint64_t kMaxSleepMs = 3'600'000;
constexpr std::uint64_t kMaxCpuMs = 600'000;
constexpr std::uint64_t kMaxAllocMb = 64 * 1024;

// Where the busy loop's result goes, so the compiler cannot drop the loop.
std::atomic<std::uint64_t> cpu_sink{0};

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Reply probe_reply(bool ok, const char* good, const char* bad) {
  return json_reply(ok ? 200 : 503, {{"status", ok ? good : bad}});
}

Reply hello_reply(const DemoIdentity& id, const Request& request) {
  return json_reply(200, {{"message", "hello"},
                          {"port", id.port},
                          {"pid", id.pid},
                          {"instance", id.instance},
                          {"revision", id.revision},
                          {"host", request.host}});
}

Reply number_reply(const char* name, std::uint64_t value) {
  return json_reply(200, {{name, value}});
}

Reply bad_ms_reply() {
  return json_error(400, "ms must be a whole number of milliseconds");
}

Reply status_reply(std::string_view code_text) {
  const auto code = parse_uint(code_text);
  // 1xx cannot be a final status; anything outside 200..599 is not a status at all.
  if (!code || *code < 200 || *code > 599) {
    return json_error(400, "status must be a number in 200..599");
  }
  const int status = static_cast<int>(*code);
  return json_reply(status, {{"status", status}});
}

void burn_cpu(std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  std::uint64_t spins = 0;
  while (std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 1000; ++i) spins = spins * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  cpu_sink.store(spins, std::memory_order_relaxed);
}

Reply alloc_reply(MemoryBallast& ballast, std::optional<std::uint64_t> mb) {
  if (!mb) return json_error(400, fmt::format("mb must be a number in 0..{}", kMaxAllocMb));
  try {
    const std::uint64_t held = ballast.hold(*mb);
    return json_reply(200, {{"allocated_mb", *mb}, {"held_mb", held / kMiB}});
  } catch (const std::bad_alloc&) {
    return json_error(500, "allocation failed");
  }
}

Reply echo_head_reply(const Request& request, const asio::ip::tcp::socket& socket) {
  nlohmann::json headers = nlohmann::json::object();
  for (const RequestField& field : request.fields) {
    const std::string name = lowercase(field.name);
    // Repeated fields combine as a list (RFC 9110 §5.3).
    if (auto it = headers.find(name); it != headers.end()) {
      it->get_ref<std::string&>() += ", " + field.value;
    } else {
      headers[name] = field.value;
    }
  }
  std::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  return json_reply(
      200, {{"method", request.method_text},
            {"target", request.target},
            {"version", request.version == http::Version::kHttp10 ? "HTTP/1.0" : "HTTP/1.1"},
            {"host", request.host},
            {"remote_addr", ec ? std::string() : peer.address().to_string()},
            {"headers", headers}});
}

}  // namespace

asio::awaitable<void> sleep_for(Exchange& exchange, std::chrono::milliseconds duration) {
  asio::steady_timer timer(exchange.stream().socket().get_executor(), duration);
  co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> handle_health(Exchange& exchange) {
  const bool healthy = exchange.context().switches.healthy.load(std::memory_order_relaxed);
  co_await exchange.reply(probe_reply(healthy, "healthy", "unhealthy"));
}

asio::awaitable<void> handle_ready(Exchange& exchange) {
  const bool ready = exchange.context().switches.ready.load(std::memory_order_relaxed);
  co_await exchange.reply(probe_reply(ready, "ready", "unready"));
}

asio::awaitable<void> handle_hello(Exchange& exchange) {
  co_await exchange.reply(hello_reply(exchange.context().identity, exchange.request()));
}

asio::awaitable<void> handle_slow(Exchange& exchange) {
  const auto ms = uint_param(exchange.target().query, "ms", 0, kMaxSleepMs);
  if (!ms) {
    co_await exchange.reply(bad_ms_reply());
    co_return;
  }
  co_await sleep_for(exchange, std::chrono::milliseconds(*ms));
  co_await exchange.reply(number_reply("slept_ms", *ms));
}

asio::awaitable<void> handle_status(Exchange& exchange) {
  constexpr std::string_view kPrefix = "/api/status/";
  co_await exchange.reply(status_reply(exchange.target().path.substr(kPrefix.size())));
}

asio::awaitable<void> handle_cpu(Exchange& exchange) {
  const auto ms = uint_param(exchange.target().query, "ms", 0, kMaxCpuMs);
  if (!ms) {
    co_await exchange.reply(bad_ms_reply());
    co_return;
  }
  // Deliberately blocks this thread: the point is to burn CPU the supervisor can measure.
  burn_cpu(std::chrono::milliseconds(*ms));
  co_await exchange.reply(number_reply("busy_ms", *ms));
}

asio::awaitable<void> handle_alloc(Exchange& exchange) {
  const auto mb = uint_param(exchange.target().query, "mb", 0, kMaxAllocMb);
  co_await exchange.reply(alloc_reply(exchange.context().ballast, mb));
}

asio::awaitable<void> handle_crash(Exchange& exchange) {
  fmt::print(stderr, "demo-app: crashing on request ({} {})\n", exchange.request().method_text,
             exchange.request().target);
  std::fflush(stderr);
  // _Exit: no destructors, no atexit handlers, no stdio flush: an abrupt crash for tests.
  std::_Exit(3);
  co_return;
}

asio::awaitable<void> handle_echo_head(Exchange& exchange) {
  co_await exchange.reply(echo_head_reply(exchange.request(), exchange.stream().socket()));
}

}  // namespace flotilla::demo
