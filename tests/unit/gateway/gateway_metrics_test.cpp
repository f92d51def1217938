// The gateway's metrics hooks end to end, in process: a real Gateway on loopback in front of a
// small asio backend, driven by blocking clients; then Gateway::collect and the access log.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "net/async.hpp"
#include "gateway/gateway.hpp"
#include "gateway/snapshot_builder.hpp"
#include "observe/exposition.hpp"

namespace flotilla::gateway {
namespace {

namespace fs = std::filesystem;
using asio::ip::tcp;

// Answers 500 to paths containing "/fail", 200 "ok" to the rest; keep-alive.
class Backend {
 public:
  Backend() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    asio::co_spawn(io_, accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Backend() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(net::use_nothrow);
      if (ec) co_return;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }
  static asio::awaitable<void> serve(tcp::socket socket) {
    std::string buffer;
    for (;;) {
      auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer),
                                                     "\r\n\r\n", net::use_nothrow);
      if (ec) co_return;
      const bool fail = buffer.substr(0, buffer.find('\r')).find("/fail") != std::string::npos;
      buffer.erase(0, n);
      const std::string_view response =
          fail ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nfail"
               : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      auto [write_error, written] =
          co_await asio::async_write(socket, asio::buffer(response), net::use_nothrow);
      if (write_error) co_return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// Sends raw bytes on a new connection with Connection: close semantics; returns the status.
int send_raw(std::uint16_t port, const std::string& request) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(request));
  std::string response;
  std::error_code ec;
  asio::read(socket, asio::dynamic_buffer(response), ec);  // until the gateway closes
  if (response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

int get(std::uint16_t port, const std::string& path) {
  return send_raw(port, "GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
}

std::uint16_t dead_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();  // closed again when this returns
}

double value(const observe::MetricsView& view, std::string_view name,
             const observe::Labels& labels) {
  for (const observe::MetricFamily& family : view) {
    for (const observe::Sample& sample : family.samples) {
      if (sample.name == name && sample.labels == labels) return sample.value;
    }
  }
  return -1;
}

class GatewayMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flotilla-gw-metrics-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string yaml = R"(
workers: 2
listen:
  - address: "127.0.0.1:0"
    health: /healthz
upstreams:
  app:
    servers: ["127.0.0.1:)" + std::to_string(backend_.port()) +
                             R"("]
  mixed:
    servers: ["127.0.0.1:)" + std::to_string(dead_port()) +
                             R"(", "127.0.0.1:)" + std::to_string(backend_.port()) + R"("]
    max_fails: 0
routes:
  - match: { path: /mixed/ }
    upstream: mixed
    retry: { on: [error], tries: 2 }
  - match: { path: / }
    upstream: app
)";
    auto result = config::load_string(
        yaml, "test.yaml", dir_, [](std::string_view) { return std::optional<std::string>(); });
    for (const auto& e : result.errors) ADD_FAILURE() << config::format_diagnostic(e);
    ASSERT_TRUE(result.ok());
    std::vector<std::string> errors;
    auto listeners = build_listener_settings(*result.spec, errors);
    SnapshotBuilder builder(*result.spec, errors);
    SnapshotPtr snapshot = builder.build();
    ASSERT_TRUE(errors.empty()) << errors.front();
    gateway_ = std::make_unique<Gateway>(std::move(listeners), 2);
    std::string error;
    ASSERT_TRUE(gateway_->bind(error)) << error;
    config::AccessLog log;
    log.enabled = true;
    log.path = dir_ / "access.log";
    ASSERT_TRUE(gateway_->open_access_log(log, error)) << error;
    gateway_->publish(std::move(snapshot));
    gateway_->start();
    port_ = gateway_->bound_endpoints().front().port();
  }

  void TearDown() override {
    if (gateway_) gateway_->drain_and_stop(std::chrono::milliseconds(2000));
    gateway_.reset();
    fs::remove_all(dir_);
  }

  observe::GatewayStats collect() {
    asio::io_context control;
    // The answers arrive later, from the workers: keep run_for() from returning at once.
    auto work = asio::make_work_guard(control);
    std::optional<observe::GatewayStats> stats;
    gateway_->collect(control.get_executor(), [&](observe::GatewayStats s) {
      stats = std::move(s);
      work.reset();
    });
    control.run_for(std::chrono::seconds(10));
    EXPECT_TRUE(stats.has_value());
    return stats ? std::move(*stats) : observe::GatewayStats{};
  }

  Backend backend_;
  fs::path dir_;
  std::unique_ptr<Gateway> gateway_;
  std::uint16_t port_ = 0;
};

TEST_F(GatewayMetricsTest, CountsRequestsAttemptsRetriesAndLogsEachRequest) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(get(port_, "/ok"), 200);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(get(port_, "/fail"), 500);
  EXPECT_EQ(get(port_, "/healthz"), 200);
  EXPECT_EQ(send_raw(port_, "BAD REQUEST LINE\r\n\r\n"), 400);
  EXPECT_EQ(send_raw(port_,
                     "POST /ok HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                     "Connection: close\r\n\r\nhello"),
            200);
  constexpr int kMixed = 8;
  for (int i = 0; i < kMixed; ++i) EXPECT_EQ(get(port_, "/mixed/x"), 200);

  const observe::GatewayStats stats = collect();
  const observe::MetricsView view = observe::gateway_metrics_view(stats);
  const std::string requests = "http_requests_total";
  EXPECT_EQ(value(view, requests, {{"method", "GET"}, {"route", "/"}, {"status", "200"}}), 3);
  EXPECT_EQ(value(view, requests, {{"method", "GET"}, {"route", "/"}, {"status", "500"}}), 2);
  EXPECT_EQ(value(view, requests, {{"method", "POST"}, {"route", "/"}, {"status", "200"}}), 1);
  EXPECT_EQ(value(view, requests, {{"method", "GET"}, {"route", ""}, {"status", "200"}}), 1);
  EXPECT_EQ(value(view, requests, {{"method", "OTHER"}, {"route", ""}, {"status", "400"}}), 1);
  EXPECT_EQ(value(view, requests, {{"method", "GET"}, {"route", "/mixed/"}, {"status", "200"}}),
            kMixed);
  EXPECT_EQ(value(view, "http_request_duration_seconds_count", {{"route", "/"}}), 6);
  EXPECT_EQ(value(view, "flotilla_in_flight_requests", {}), 0);

  const std::string live = "127.0.0.1:" + std::to_string(backend_.port());
  const std::string upstream_requests = "flotilla_upstream_requests_total";
  EXPECT_EQ(
      value(view, upstream_requests, {{"endpoint", live}, {"outcome", "2xx"}, {"upstream", "app"}}),
      4);
  EXPECT_EQ(
      value(view, upstream_requests, {{"endpoint", live}, {"outcome", "5xx"}, {"upstream", "app"}}),
      2);
  EXPECT_EQ(value(view, upstream_requests,
                  {{"endpoint", live}, {"outcome", "2xx"}, {"upstream", "mixed"}}),
            kMixed);
  // Every attempt on the dead endpoint failed to connect and was retried on the live one.
  ASSERT_EQ(stats.endpoints.size(), 3u);
  const observe::EndpointStats& dead = stats.endpoints[1];
  EXPECT_EQ(dead.upstream, "mixed");
  EXPECT_GE(dead.requests, 1u);
  EXPECT_EQ(dead.failures, dead.requests);
  EXPECT_TRUE(dead.up);  // max_fails: 0 keeps it in rotation
  const auto dead_attempts = static_cast<double>(dead.requests);
  EXPECT_EQ(
      value(view, upstream_requests,
            {{"endpoint", dead.endpoint}, {"outcome", "connect_error"}, {"upstream", "mixed"}}),
      dead_attempts);
  EXPECT_EQ(
      value(view, "flotilla_upstream_failures_total",
            {{"endpoint", dead.endpoint}, {"reason", "connect_error"}, {"upstream", "mixed"}}),
      dead_attempts);
  EXPECT_EQ(value(view, "flotilla_retries_total", {{"reason", "error"}, {"upstream", "mixed"}}),
            dead_attempts);
  EXPECT_EQ(stats.endpoints[0].requests, 6u);  // app's endpoint: 4 × 2xx + 2 × 5xx

  // What a live scrape would render passes promtool's checks.
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    const fs::path scrape = dir_ / "scrape.txt";
    std::ofstream(scrape) << observe::render_exposition(view);
    const std::string command = "promtool check metrics < " + scrape.string() + " > " +
                                (dir_ / "promtool.txt").string() + " 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);
    std::ifstream report(dir_ / "promtool.txt");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(report), {}), "");
  }

  // The access log: one line per request, written by the writer thread within ~100 ms.
  gateway_->drain_and_stop(std::chrono::milliseconds(2000));  // flushes every worker's batch
  gateway_.reset();
  std::ifstream in(dir_ / "access.log");
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(8 + kMixed));
  int retried = 0;
  for (const nlohmann::json& line : lines) {
    if (line["path"] == "/mixed/x") {
      EXPECT_EQ(line["upstream"], live);
      EXPECT_EQ(line["route"], "/mixed/");
      retried += line["attempts"].get<int>() - 1;
    }
    if (line["method"] == "POST") {
      EXPECT_EQ(line["bytes_in"].get<int>(), 68 + 5) << line.dump();
      EXPECT_EQ(line["status"], 200);
      EXPECT_EQ(line["request_id"].get<std::string>().size(), 32u);
      EXPECT_GT(line["bytes_out"].get<int>(), 0);
    }
    if (line["status"] == 400) {
      EXPECT_TRUE(line["upstream"].is_null());
      EXPECT_TRUE(line["route"].is_null());
      EXPECT_EQ(line["attempts"], 0);
    }
    EXPECT_EQ(line["client"], "127.0.0.1");
  }
  EXPECT_EQ(retried, dead_attempts);
}

}  // namespace
}  // namespace flotilla::gateway
