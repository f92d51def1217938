#include "observe/gateway_metrics.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace flotilla::observe {
namespace {

const MetricFamily& family(const MetricsView& view, std::string_view name) {
  const auto it =
      std::find_if(view.begin(), view.end(), [&](const MetricFamily& f) { return f.name == name; });
  if (it == view.end()) throw std::runtime_error("no family " + std::string(name));
  return *it;
}

std::vector<const Sample*> samples(const MetricFamily& f, std::string_view name) {
  std::vector<const Sample*> out;
  for (const Sample& s : f.samples) {
    if (s.name == name) out.push_back(&s);
  }
  return out;
}

std::string label(const Sample& s, std::string_view name) {
  for (const auto& [k, v] : s.labels) {
    if (k == name) return v;
  }
  return "<none>";
}

GatewayStats stats_with_durations(std::initializer_list<int> milliseconds) {
  GatewayStats stats;
  const std::uint32_t route = stats.totals.route_series("/");
  for (const int ms : milliseconds) {
    RequestRecord r;
    r.begin({});
    r.route = route;
    r.method = http::Method::kGet;
    r.status = 200;
    stats.totals.request_started();
    stats.totals.request_finished(r, std::chrono::milliseconds(ms));
  }
  return stats;
}

TEST(GatewayMetrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  const MetricsView view = gateway_metrics_view(stats_with_durations({3, 7, 7, 300, 20000}));
  const MetricFamily& h = family(view, "http_request_duration_seconds");
  EXPECT_EQ(h.type, MetricType::histogram);
  const auto buckets = samples(h, "http_request_duration_seconds_bucket");
  ASSERT_EQ(buckets.size(), 12u);
  const std::vector<std::pair<std::string, double>> expected = {
      {"0.005", 1}, {"0.01", 3}, {"0.025", 3}, {"0.05", 3}, {"0.1", 3}, {"0.25", 3},
      {"0.5", 4},   {"1", 4},    {"2.5", 4},   {"5", 4},    {"10", 4},  {"+Inf", 5}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(label(*buckets[i], "le"), expected[i].first) << i;
    EXPECT_EQ(buckets[i]->value, expected[i].second) << i;
    EXPECT_EQ(label(*buckets[i], "route"), "/");
    EXPECT_EQ(buckets[i]->labels.front().first, "le");  // sorted: le < route
  }
  const auto sum = samples(h, "http_request_duration_seconds_sum");
  const auto count = samples(h, "http_request_duration_seconds_count");
  ASSERT_EQ(sum.size(), 1u);
  ASSERT_EQ(count.size(), 1u);
  EXPECT_DOUBLE_EQ(sum[0]->value, 20.317);
  EXPECT_EQ(count[0]->value, 5);
}

TEST(GatewayMetrics, RequestsCarryMethodRouteAndThreeDigitStatus) {
  GatewayStats stats = stats_with_durations({1});
  RequestRecord r;
  r.begin({});
  r.method = http::Method::kOther;
  r.status = 400;
  stats.totals.request_started();
  stats.totals.request_finished(r, std::chrono::milliseconds(1));
  const MetricsView view = gateway_metrics_view(stats);
  const MetricFamily& f = family(view, "http_requests_total");
  EXPECT_EQ(f.type, MetricType::counter);
  ASSERT_EQ(f.samples.size(), 2u);
  // The unrouted route comes first (id 0).
  EXPECT_EQ(f.samples[0].labels, (Labels{{"method", "OTHER"}, {"route", ""}, {"status", "400"}}));
  EXPECT_EQ(f.samples[1].labels, (Labels{{"method", "GET"}, {"route", "/"}, {"status", "200"}}));
  EXPECT_EQ(f.samples[1].value, 1);
}

TEST(GatewayMetrics, RateLimitedByRouteAndLimit) {
  GatewayStats stats = stats_with_durations({1});
  RequestRecord r;
  r.begin({});
  r.route = stats.totals.route_series("/api/");
  r.status = 429;
  r.rate_limit = "api";
  stats.totals.request_started();
  stats.totals.request_finished(r, std::chrono::milliseconds(1));
  const MetricsView view = gateway_metrics_view(stats);
  const MetricFamily& f = family(view, "flotilla_ratelimited_total");
  EXPECT_EQ(f.type, MetricType::counter);
  ASSERT_EQ(f.samples.size(), 1u);
  EXPECT_EQ(f.samples[0].labels, (Labels{{"limit", "api"}, {"route", "/api/"}}));
  EXPECT_EQ(f.samples[0].value, 1);
}

TEST(GatewayMetrics, UpstreamFamiliesAndGauges) {
  GatewayStats stats;
  MetricShard& shard = stats.totals;
  const std::uint32_t app = shard.upstream_series("app");
  const std::uint32_t e = shard.endpoint_series(app, "127.0.0.1:1");
  shard.attempt_finished(e, AttemptOutcome::status_2xx);
  shard.attempt_finished(e, AttemptOutcome::timeout);
  shard.endpoint_failed(e, FailureReason::timeout);
  shard.retried(app, config::RetryOn::timeout);
  shard.request_started();
  stats.endpoints.push_back({"app", "127.0.0.1:1", true, 0, 0, 2, 1});
  stats.endpoints.push_back({"app", "127.0.0.1:2", false, 0, 1, 0, 0});
  stats.active_connections = 4;
  const MetricsView view = gateway_metrics_view(stats);

  const MetricFamily& requests = family(view, "flotilla_upstream_requests_total");
  ASSERT_EQ(requests.samples.size(), 2u);  // zero outcomes are left out
  EXPECT_EQ(requests.samples[0].labels,
            (Labels{{"endpoint", "127.0.0.1:1"}, {"outcome", "2xx"}, {"upstream", "app"}}));
  EXPECT_EQ(requests.samples[1].labels,
            (Labels{{"endpoint", "127.0.0.1:1"}, {"outcome", "timeout"}, {"upstream", "app"}}));
  const MetricFamily& failures = family(view, "flotilla_upstream_failures_total");
  ASSERT_EQ(failures.samples.size(), 1u);
  EXPECT_EQ(failures.samples[0].labels,
            (Labels{{"endpoint", "127.0.0.1:1"}, {"reason", "timeout"}, {"upstream", "app"}}));
  const MetricFamily& retries = family(view, "flotilla_retries_total");
  ASSERT_EQ(retries.samples.size(), 1u);
  EXPECT_EQ(retries.samples[0].labels, (Labels{{"reason", "timeout"}, {"upstream", "app"}}));
  const MetricFamily& up = family(view, "flotilla_endpoint_up");
  ASSERT_EQ(up.samples.size(), 2u);
  EXPECT_EQ(up.samples[0].value, 1);
  EXPECT_EQ(up.samples[1].value, 0);
  EXPECT_EQ(up.samples[1].labels, (Labels{{"endpoint", "127.0.0.1:2"}, {"upstream", "app"}}));
  EXPECT_EQ(family(view, "flotilla_in_flight_requests").samples.at(0).value, 1);
  EXPECT_EQ(family(view, "flotilla_active_connections").samples.at(0).value, 4);
}

TEST(GatewayMetrics, EveryLabelSetIsSortedByName) {
  GatewayStats stats = stats_with_durations({1, 2000});
  const std::uint32_t app = stats.totals.upstream_series("app");
  const std::uint32_t e = stats.totals.endpoint_series(app, "x");
  stats.totals.attempt_finished(e, AttemptOutcome::reset);
  stats.totals.endpoint_failed(e, FailureReason::reset);
  stats.totals.retried(app, config::RetryOn::error);
  stats.endpoints.push_back({"app", "x", true, 0, 0, 0, 0});
  for (const MetricFamily& f : gateway_metrics_view(stats)) {
    for (const Sample& s : f.samples) {
      EXPECT_TRUE(std::is_sorted(s.labels.begin(), s.labels.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; }))
          << s.name;
    }
  }
}

}  // namespace
}  // namespace flotilla::observe
