#include "observe/exposition.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include <unistd.h>

#include <gtest/gtest.h>

#include "observe/gateway_metrics.hpp"
#include "observe/instance_metrics.hpp"

namespace flotilla::observe {
namespace {

constexpr std::string_view kStatesList[] = {"starting", "running", "ready",
                                            "stopping", "backoff", "crash_loop",
                                            "exited",   "stopped", "drained"};
const std::span<const std::string_view> kStates(kStatesList);

std::string label_value(std::string_view value) {
  std::string out;
  append_label_value(out, value);
  return out;
}

std::string value(double v) {
  std::string out;
  append_value(out, v);
  return out;
}

TEST(Exposition, EscapesLabelValues) {
  EXPECT_EQ(label_value("plain /api/"), "plain /api/");
  EXPECT_EQ(label_value(R"(a"b)"), R"(a\"b)");
  EXPECT_EQ(label_value(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(label_value("a\nb"), R"(a\nb)");
}

TEST(Exposition, EscapesHelpButNotQuotes) {
  std::string out;
  append_help_text(out, "a \"quoted\" \\ and\nnewline");
  EXPECT_EQ(out, R"(a "quoted" \\ and\nnewline)");
}

TEST(Exposition, FormatsValuesLikeGo) {
  EXPECT_EQ(value(0), "0");
  EXPECT_EQ(value(42), "42");
  EXPECT_EQ(value(0.005), "0.005");
  EXPECT_EQ(value(2.5), "2.5");
  EXPECT_EQ(value(1234567890123.0), "1234567890123");
  EXPECT_EQ(value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(value(std::nan("")), "NaN");
}

TEST(Exposition, RendersHelpTypeAndSamples) {
  MetricsView view;
  MetricFamily requests{"http_requests_total", "Requests.\nSecond line.", MetricType::counter, {}};
  requests.samples.push_back(
      {"http_requests_total", {{"method", "GET"}, {"route", "/a\"b"}, {"status", "200"}}, 3});
  view.push_back(requests);
  MetricFamily gauge{"flotilla_active_connections", "Open.", MetricType::gauge, {}};
  gauge.samples.push_back({"flotilla_active_connections", {}, 7});
  view.push_back(gauge);
  MetricFamily histogram{"h_seconds", "H.", MetricType::histogram, {}};
  histogram.samples.push_back({"h_seconds_bucket", {{"le", "+Inf"}}, 1});
  histogram.samples.push_back({"h_seconds_sum", {}, 0.25});
  histogram.samples.push_back({"h_seconds_count", {}, 1});
  view.push_back(histogram);
  EXPECT_EQ(render_exposition(view),
            "# HELP http_requests_total Requests.\\nSecond line.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\",route=\"/a\\\"b\",status=\"200\"} 3\n"
            "# HELP flotilla_active_connections Open.\n"
            "# TYPE flotilla_active_connections gauge\n"
            "flotilla_active_connections 7\n"
            "# HELP h_seconds H.\n"
            "# TYPE h_seconds histogram\n"
            "h_seconds_bucket{le=\"+Inf\"} 1\n"
            "h_seconds_sum 0.25\n"
            "h_seconds_count 1\n");
}

// Everything the gateway and the supervisor can produce, with awkward label values.
MetricsView full_view() {
  GatewayStats stats;
  MetricShard& shard = stats.totals;
  const std::uint32_t route = shard.route_series("api.example.com/v1/\"quoted\"\\");
  const std::uint32_t upstream = shard.upstream_series("app");
  const std::uint32_t endpoint = shard.endpoint_series(upstream, "127.0.0.1:8001");
  const std::uint32_t other = shard.endpoint_series(upstream, "web/2");
  for (const auto& [status, ms] : {std::pair{200, 3}, {201, 40}, {503, 2600}, {0, 12000}}) {
    RequestRecord r;
    r.begin({});
    r.route = route;
    r.method = http::Method::kGet;
    r.status = static_cast<std::uint16_t>(status);
    shard.request_started();
    shard.request_finished(r, std::chrono::milliseconds(ms));
  }
  RequestRecord unrouted;
  unrouted.begin({});
  unrouted.status = 404;
  shard.request_started();
  shard.request_finished(unrouted, std::chrono::microseconds(300));
  shard.request_started();
  shard.attempt_finished(endpoint, AttemptOutcome::status_2xx);
  shard.attempt_finished(other, AttemptOutcome::connect_error);
  shard.endpoint_failed(other, FailureReason::connect_error);
  shard.endpoint_failed(endpoint, FailureReason::http_502);
  shard.retried(upstream, config::RetryOn::error);
  shard.retried(upstream, config::RetryOn::http_502);
  stats.endpoints.push_back({"app", "127.0.0.1:8001", true, 1, 0, 2, 1});
  stats.endpoints.push_back({"app", "web/2", false, 0, 1, 1, 1});
  stats.active_connections = 12;
  MetricsView view = gateway_metrics_view(stats);

  std::vector<InstanceSample> instances(2);
  instances[0].service = "web";
  instances[0].replica = "web/1";
  instances[0].state = "ready";
  instances[0].up = true;
  instances[0].restarts = 2;
  instances[0].cpu_seconds = 1.25;
  instances[0].memory_bytes = 50 << 20;
  instances[0].memory_limit_bytes = 256 << 20;
  instances[1].service = "web";
  instances[1].replica = "web/2";
  instances[1].state = "crash_loop";
  append_instance_metrics(view, instances, kStates);
  return view;
}

TEST(Exposition, PromtoolFindsNothingToReport) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (Debian package prometheus; scripts/install-deps.sh)";
  }
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("flotilla-exposition-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path metrics = dir / "metrics.txt";
  const std::filesystem::path report = dir / "report.txt";
  const std::string text = render_exposition(full_view());
  std::ofstream(metrics) << text;
  const std::string command =
      "promtool check metrics < " + metrics.string() + " > " + report.string() + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(report);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << output << "\n--- input:\n" << text;
  EXPECT_EQ(output, "") << "--- input:\n" << text;
  // The run must have seen the interesting series.
  EXPECT_NE(text.find("http_request_duration_seconds_bucket{le=\"+Inf\""), std::string::npos);
  EXPECT_NE(text.find("flotilla_instance_memory_limit_bytes{replica=\"web/1\""), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flotilla::observe
