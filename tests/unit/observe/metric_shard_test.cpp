#include "observe/metric_shard.hpp"

#include <gtest/gtest.h>

namespace flotilla::observe {
namespace {

using std::chrono::milliseconds;

std::uint64_t count_of(const MetricShard& shard, std::string_view route, http::Method method,
                       std::uint16_t status) {
  for (const RouteSeries& series : shard.routes()) {
    if (series.name != route) continue;
    for (const StatusCount& entry : series.statuses[static_cast<std::size_t>(method)]) {
      if (entry.status == status) return entry.count;
    }
  }
  return 0;
}

RequestRecord record(std::uint32_t route, http::Method method, std::uint16_t status) {
  RequestRecord r;
  r.begin({});
  r.route = route;
  r.method = method;
  r.status = status;
  return r;
}

TEST(MetricShard, InterningIsStableAndIdZeroIsTheUnroutedRoute) {
  MetricShard shard;
  EXPECT_EQ(shard.route_series(""), kNoSeries);
  const std::uint32_t api = shard.route_series("/api/");
  EXPECT_NE(api, kNoSeries);
  EXPECT_EQ(shard.route_series("/api/"), api);
  const std::uint32_t app = shard.upstream_series("app");
  const std::uint32_t other = shard.upstream_series("other");
  const std::uint32_t e1 = shard.endpoint_series(app, "127.0.0.1:1");
  EXPECT_EQ(shard.endpoint_series(app, "127.0.0.1:1"), e1);
  // The same key under another upstream is another series.
  EXPECT_NE(shard.endpoint_series(other, "127.0.0.1:1"), e1);
  EXPECT_NE(e1, kNoSeries);
}

TEST(MetricShard, CountsRequestsByRouteMethodAndStatus) {
  MetricShard shard;
  const std::uint32_t api = shard.route_series("/api/");
  shard.request_started();
  shard.request_started();
  EXPECT_EQ(shard.in_flight(), 2);
  shard.request_finished(record(api, http::Method::kGet, 200), milliseconds(1));
  shard.request_finished(record(api, http::Method::kGet, 200), milliseconds(1));
  EXPECT_EQ(shard.in_flight(), 0);
  shard.request_started();
  shard.request_finished(record(api, http::Method::kPost, 502), milliseconds(1));
  shard.request_started();
  shard.request_finished(record(kNoSeries, http::Method::kOther, 400), milliseconds(1));
  shard.request_started();
  shard.request_finished(record(api, http::Method::kGet, 0), milliseconds(1));  // client left
  EXPECT_EQ(count_of(shard, "/api/", http::Method::kGet, 200), 2u);
  EXPECT_EQ(count_of(shard, "/api/", http::Method::kPost, 502), 1u);
  EXPECT_EQ(count_of(shard, "", http::Method::kOther, 400), 1u);
  EXPECT_EQ(count_of(shard, "/api/", http::Method::kGet, 499), 1u);
  EXPECT_EQ(shard.routes()[api].duration.count, 4u);
}

TEST(MetricShard, CountsRateLimitedRequestsByLimitAndMergesThem) {
  MetricShard a;
  const std::uint32_t api = a.route_series("/api/");
  RequestRecord limited = record(api, http::Method::kGet, 429);
  limited.rate_limit = "api";
  for (int i = 0; i < 3; ++i) {
    a.request_started();
    a.request_finished(limited, milliseconds(1));
  }
  a.request_started();
  a.request_finished(record(api, http::Method::kGet, 200), milliseconds(1));
  ASSERT_EQ(a.routes()[api].ratelimited.size(), 1u);
  EXPECT_EQ(a.routes()[api].ratelimited[0], (std::pair<std::string, std::uint64_t>{"api", 3}));
  MetricShard b;
  b.route_series("/other/");
  const std::uint32_t api_b = b.route_series("/api/");
  RequestRecord other = record(api_b, http::Method::kGet, 200);
  other.rate_limit = "trial";
  b.request_started();
  b.request_finished(other, milliseconds(1));
  a.merge(b);
  EXPECT_EQ(a.routes()[api].ratelimited,
            (std::vector<std::pair<std::string, std::uint64_t>>{{"api", 3}, {"trial", 1}}));
}

TEST(MetricShard, MergeMatchesSeriesByNameNotById) {
  MetricShard a;
  MetricShard b;
  // Interned in opposite orders: ids differ between the shards.
  const std::uint32_t a_web = a.route_series("/web/");
  const std::uint32_t a_api = a.route_series("/api/");
  const std::uint32_t b_api = b.route_series("/api/");
  ASSERT_NE(a_api, b_api);
  a.request_started();
  a.request_finished(record(a_api, http::Method::kGet, 200), milliseconds(1));
  a.request_started();
  a.request_finished(record(a_web, http::Method::kGet, 200), milliseconds(1));
  b.request_started();
  b.request_finished(record(b_api, http::Method::kGet, 200), milliseconds(1));
  b.request_started();
  b.request_finished(record(b_api, http::Method::kGet, 404), milliseconds(1));
  b.request_started();  // still in flight in b

  const std::uint32_t b_up = b.upstream_series("app");
  const std::uint32_t b_other = b.upstream_series("other");
  const std::uint32_t a_up = a.upstream_series("app");
  const std::uint32_t b_e = b.endpoint_series(b_up, "e1");
  const std::uint32_t a_e = a.endpoint_series(a_up, "e1");
  b.endpoint_series(b_other, "e1");
  a.attempt_finished(a_e, AttemptOutcome::status_2xx);
  b.attempt_finished(b_e, AttemptOutcome::status_2xx);
  b.attempt_finished(b_e, AttemptOutcome::connect_error);
  b.endpoint_failed(b_e, FailureReason::connect_error);
  b.retried(b_up, config::RetryOn::error);

  MetricShard merged;
  merged.merge(a);
  merged.merge(b);
  EXPECT_EQ(count_of(merged, "/api/", http::Method::kGet, 200), 2u);
  EXPECT_EQ(count_of(merged, "/api/", http::Method::kGet, 404), 1u);
  EXPECT_EQ(count_of(merged, "/web/", http::Method::kGet, 200), 1u);
  EXPECT_EQ(merged.in_flight(), 1);
  ASSERT_EQ(merged.upstreams().size(), 3u);  // placeholder, app, other
  EXPECT_EQ(merged.upstreams()[1].name, "app");
  EXPECT_EQ(merged.upstreams()[1].retries[0], 1u);
  ASSERT_EQ(merged.endpoints().size(), 3u);  // placeholder, app/e1, other/e1
  const EndpointSeries& e1 = merged.endpoints()[1];
  EXPECT_EQ(merged.upstreams()[e1.upstream].name, "app");
  EXPECT_EQ(e1.requests[static_cast<std::size_t>(AttemptOutcome::status_2xx)], 2u);
  EXPECT_EQ(e1.requests[static_cast<std::size_t>(AttemptOutcome::connect_error)], 1u);
  EXPECT_EQ(e1.failures[static_cast<std::size_t>(FailureReason::connect_error)], 1u);
  EXPECT_EQ(merged.routes()[merged.route_series("/api/")].duration.count, 3u);
}

TEST(MetricShard, Labels) {
  EXPECT_EQ(method_label(http::Method::kOther), "OTHER");
  EXPECT_EQ(method_label(http::Method::kPatch), "PATCH");
  EXPECT_EQ(outcome_of_status(101), AttemptOutcome::status_1xx);
  EXPECT_EQ(outcome_of_status(204), AttemptOutcome::status_2xx);
  EXPECT_EQ(outcome_of_status(399), AttemptOutcome::status_3xx);
  EXPECT_EQ(outcome_of_status(429), AttemptOutcome::status_4xx);
  EXPECT_EQ(outcome_of_status(503), AttemptOutcome::status_5xx);
  EXPECT_EQ(to_string(AttemptOutcome::status_5xx), "5xx");
  EXPECT_EQ(to_string(FailureReason::http_429), "http_429");
  EXPECT_EQ(config::to_string(config::RetryOn::error), "error");
  EXPECT_EQ(config::to_string(config::RetryOn::http_429), "http_429");
}

}  // namespace
}  // namespace flotilla::observe
