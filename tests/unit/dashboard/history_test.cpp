// The dashboard's points: rates by status class between refreshes, the error ratio, quantiles
// over the window's bucket increases (Prometheus' interpolation), counter resets, capacity and
// `since`.
#include "dashboard/history.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace flotilla::dashboard {
namespace {

using namespace std::chrono_literals;
using observe::MetricFamily;
using observe::MetricType;

const auto kT0 = std::chrono::system_clock::time_point{} + 1'700'000'000s;

// A gateway view with `ok` 200s, `bad` 503s and `fast`/`slow` requests in the 10 ms / 1 s
// buckets (two routes, to check they are summed).
observe::MetricsView view(double ok, double bad, double fast, double slow) {
  MetricFamily requests = observe::family("http_requests_total", "", MetricType::counter);
  requests.samples.push_back(
      {"http_requests_total", {{"method", "GET"}, {"route", "a"}, {"status", "200"}}, ok});
  requests.samples.push_back(
      {"http_requests_total", {{"method", "GET"}, {"route", "a"}, {"status", "503"}}, bad});
  MetricFamily duration =
      observe::family("http_request_duration_seconds", "", MetricType::histogram);
  for (const char* route : {"a", "b"}) {
    const double share = 0.5;
    auto bucket = [&](const char* le, double count) {
      duration.samples.push_back(
          {"http_request_duration_seconds_bucket", {{"le", le}, {"route", route}}, count});
    };
    bucket("0.005", 0);
    bucket("0.01", fast * share);
    bucket("0.5", fast * share);
    bucket("1", (fast + slow) * share);
    bucket("+Inf", (fast + slow) * share);
    duration.samples.push_back(
        {"http_request_duration_seconds_count", {{"route", route}}, (fast + slow) * share});
  }
  return {requests, duration};
}

TEST(RequestTotals, SumsByClassAndBucket) {
  const RequestTotals totals = request_totals(view(10, 4, 6, 8));
  EXPECT_EQ(totals.by_class[1], 10);
  EXPECT_EQ(totals.by_class[4], 4);
  ASSERT_EQ(totals.buckets.size(), 5u);
  EXPECT_EQ(totals.buckets[1], (std::pair<double, double>{0.01, 6}));
  EXPECT_TRUE(std::isinf(totals.buckets.back().first));
  EXPECT_EQ(totals.buckets.back().second, 14);
}

TEST(BucketQuantile, InterpolatesAsPrometheusDoes) {
  const double inf = INFINITY;
  // 100 observations: 50 up to 0.1 s, 40 more up to 0.5 s, 10 above.
  const std::vector<std::pair<double, double>> b{{0.1, 50}, {0.5, 90}, {inf, 100}};
  EXPECT_NEAR(*bucket_quantile(0.5, b), 0.1, 1e-12);
  EXPECT_NEAR(*bucket_quantile(0.25, b), 0.05, 1e-12);       // halfway through the first bucket
  EXPECT_NEAR(*bucket_quantile(0.7, b), 0.3, 1e-12);         // 20 of 40 into (0.1, 0.5]
  EXPECT_EQ(*bucket_quantile(0.95, b), 0.5);                 // in +Inf: the highest finite bound
  EXPECT_FALSE(bucket_quantile(0.5, {{0.1, 0}, {inf, 0}}));  // nothing observed
  EXPECT_FALSE(bucket_quantile(0.5, {{0.1, 3}}));            // no +Inf bucket
}

TEST(TrafficHistory, RatesErrorsAndQuantilesBetweenRefreshes) {
  TrafficHistory history(10, 5s);
  history.add(kT0, view(100, 0, 100, 0), {{"web", 2, 2, std::nullopt}});
  history.add(kT0 + 2s, view(160, 20, 180, 0), {{"web", 3, 3, 4u}});
  const auto points = history.since(0);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_FALSE(points[0].error_ratio);  // the first refresh has nothing to compare with
  const HistoryPoint& p = points[1];
  EXPECT_EQ(p.time_ms, 1'700'000'002'000);
  EXPECT_DOUBLE_EQ(p.rate_by_class[1], 30.0);  // 60 in 2 s
  EXPECT_DOUBLE_EQ(p.rate_by_class[4], 10.0);
  EXPECT_DOUBLE_EQ(*p.error_ratio, 0.25);
  ASSERT_TRUE(p.p50);
  EXPECT_GT(*p.p50, 0.005);  // all 80 new ones in (5 ms, 10 ms]
  EXPECT_LE(*p.p99, 0.01);
  ASSERT_EQ(p.services.size(), 1u);
  EXPECT_EQ(p.services[0].desired, 4u);

  const nlohmann::json j = to_json(p);
  EXPECT_EQ(j["t"], 1'700'000'002'000);
  EXPECT_EQ(j["rate"][1], 30.0);
  EXPECT_EQ(j["services"]["web"]["desired"], 4);
  EXPECT_TRUE(to_json(points[0])["p95"].is_null());
}

TEST(TrafficHistory, QuantilesCoverTheWindowNotJustTheLastSecond) {
  TrafficHistory history(10, 5s);
  history.add(kT0, view(0, 0, 0, 0), {});
  history.add(kT0 + 1s, view(10, 0, 0, 10), {});   // 10 slow requests
  history.add(kT0 + 2s, view(20, 0, 10, 10), {});  // then 10 fast ones
  const HistoryPoint last = history.since(0).back();
  EXPECT_GT(*last.p95, 0.5);                       // the slow ones are still in the 5 s window
  history.add(kT0 + 9s, view(30, 0, 20, 10), {});  // only fast ones within 5 s now
  EXPECT_LE(*history.since(0).back().p95, 0.01);
}

TEST(TrafficHistory, ACounterResetGivesNoRate) {
  TrafficHistory history(10);
  history.add(kT0, view(100, 10, 0, 0), {});
  history.add(kT0 + 1s, view(5, 0, 0, 0), {});
  const HistoryPoint p = history.since(0).back();
  EXPECT_EQ(p.rate_by_class[1], 0);
  EXPECT_FALSE(p.error_ratio);
}

TEST(TrafficHistory, KeepsCapacityAndAnswersSince) {
  TrafficHistory history(3);
  for (int i = 0; i < 5; ++i) history.add(kT0 + std::chrono::seconds(i), view(i, 0, 0, 0), {});
  EXPECT_EQ(history.size(), 3u);
  const auto all = history.since(0);
  EXPECT_EQ(all.front().time_ms, 1'700'000'002'000);
  const auto newer = history.since(1'700'000'003'000);
  ASSERT_EQ(newer.size(), 1u);
  EXPECT_EQ(newer[0].time_ms, 1'700'000'004'000);
}

}  // namespace
}  // namespace flotilla::dashboard
