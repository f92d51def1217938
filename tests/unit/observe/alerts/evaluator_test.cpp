// The evaluator against synthetic scrapes: selectors, rate/increase with Prometheus'
// extrapolation and counter resets, aggregation, vector matching, filters, histogram quantiles.
#include "observe/alerts/evaluator.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "alert_test_support.hpp"

namespace flotilla::observe {
namespace {

using testing::by_labels;
using testing::eval;
using testing::sample;
using testing::view;
using Values = std::map<std::string, double>;

TEST(Evaluator, SelectsByNameAndMatchers) {
  SeriesStore store(60'000);
  store.append(1'000, view({sample("http_requests_total", {{"status", "200"}}, 5),
                            sample("http_requests_total", {{"status", "503"}}, 2),
                            sample("http_requests_total", {{"status", "500"}}, 1),
                            sample("other", {{"status", "500"}}, 9)}));
  EXPECT_EQ(by_labels(eval(R"(http_requests_total{status=~"5.."})", store)),
            (Values{{R"({__name__="http_requests_total", status="500"})", 1},
                    {R"({__name__="http_requests_total", status="503"})", 2}}));
  EXPECT_EQ(eval(R"(http_requests_total{status!="200", status!~"50[0-2]"})", store).vector.size(),
            1u);
  // A regex matches the whole value, like RE2 in Prometheus: "5" does not match "503".
  EXPECT_TRUE(eval(R"(http_requests_total{status=~"5"})", store).vector.empty());
  EXPECT_EQ(eval(R"({__name__=~"http_.*"})", store).vector.size(), 3u);
}

TEST(Evaluator, ASeriesMissingFromTheLatestScrapeIsGone) {
  SeriesStore store(60'000);
  store.append(1'000, view({sample("up", {{"i", "1"}}, 1), sample("up", {{"i", "2"}}, 1)}));
  store.append(2'000, view({sample("up", {{"i", "1"}}, 1)}));
  EXPECT_EQ(eval("up", store).vector.size(), 1u);
}

TEST(Evaluator, RateExtrapolatesToTheWindowLikePrometheus) {
  SeriesStore store(60'000);
  // 10 requests/s, scraped every second from t=1s to t=10s.
  for (int t = 1; t <= 10; ++t) store.append(t * 1'000, view({sample("c", {}, 10.0 * t)}));
  EXPECT_DOUBLE_EQ(eval("rate(c[10s])", store).vector.at(0).value, 10.0);
  EXPECT_DOUBLE_EQ(eval("increase(c[10s])", store).vector.at(0).value, 100.0);
  // rate drops the metric name.
  EXPECT_TRUE(eval("rate(c[10s])", store).vector.at(0).labels.empty());
  // One point in the window is not enough for a rate.
  EXPECT_TRUE(eval("rate(c[1s])", store).vector.empty());
  EXPECT_DOUBLE_EQ(eval("irate(c[5s])", store).vector.at(0).value, 10.0);
  EXPECT_DOUBLE_EQ(eval("max_over_time(c[3s])", store).vector.at(0).value, 100.0);
  EXPECT_DOUBLE_EQ(eval("avg_over_time(c[3s])", store).vector.at(0).value, 90.0);
  EXPECT_DOUBLE_EQ(eval("count_over_time(c[3s])", store).vector.at(0).value, 3.0);
}

TEST(Evaluator, IncreaseCountsAcrossACounterReset) {
  SeriesStore store(60'000);
  // 0, 1, 2, then the process restarts: 0, 1, 2 again: 4 increments between the 6 samples.
  const double values[] = {0, 1, 2, 0, 1, 2};
  for (int i = 0; i < 6; ++i) store.append((i + 1) * 1'000, view({sample("r", {}, values[i])}));
  // The first point is 0, so a counter is not extrapolated before it.
  EXPECT_DOUBLE_EQ(eval("increase(r[6s])", store).vector.at(0).value, 4.0);
  // Without the reset correction the difference last - first would be 2.
  EXPECT_DOUBLE_EQ(eval("delta(r[6s])", store).vector.at(0).value, 2.0 * 6 / 5);
}

TEST(Evaluator, OldPointsLeaveTheStore) {
  SeriesStore store(5'000);
  for (int t = 1; t <= 20; ++t) store.append(t * 1'000, view({sample("c", {}, t)}));
  ASSERT_EQ(store.series().size(), 1u);
  EXPECT_EQ(store.series().begin()->second.points.size(), 5u);
  store.append(21'000, view({}));
  store.append(30'000, view({}));
  EXPECT_TRUE(store.series().empty());
}

TEST(Evaluator, AggregatesByAndWithout) {
  SeriesStore store(60'000);
  store.append(1'000, view({sample("m", {{"svc", "a"}, {"i", "1"}}, 1),
                            sample("m", {{"svc", "a"}, {"i", "2"}}, 3),
                            sample("m", {{"svc", "b"}, {"i", "1"}}, 10)}));
  EXPECT_EQ(by_labels(eval("sum(m)", store)), (Values{{"{}", 14}}));
  EXPECT_EQ(by_labels(eval("sum by (svc) (m)", store)),
            (Values{{R"({svc="a"})", 4}, {R"({svc="b"})", 10}}));
  EXPECT_EQ(by_labels(eval("max(m) without (i)", store)),
            (Values{{R"({svc="a"})", 3}, {R"({svc="b"})", 10}}));
  EXPECT_EQ(by_labels(eval("avg by (svc) (m)", store)),
            (Values{{R"({svc="a"})", 2}, {R"({svc="b"})", 10}}));
  EXPECT_EQ(by_labels(eval("count(m)", store)), (Values{{"{}", 3}}));
  EXPECT_EQ(by_labels(eval("min(m)", store)), (Values{{"{}", 1}}));
  // Aggregating nothing gives nothing (so "sum(...) > x" cannot fire on an idle gateway).
  EXPECT_TRUE(eval("sum(absent_metric)", store).vector.empty());
}

TEST(Evaluator, MatchesVectorsOnIdenticalLabels) {
  SeriesStore store(60'000);
  store.append(1'000, view({sample("mem", {{"service", "web"}, {"instance", "1"}}, 95),
                            sample("mem", {{"service", "web"}, {"instance", "2"}}, 10),
                            sample("mem", {{"service", "web"}, {"instance", "3"}}, 50),
                            sample("limit", {{"service", "web"}, {"instance", "1"}}, 100),
                            sample("limit", {{"service", "web"}, {"instance", "2"}}, 100),
                            sample("limit", {{"service", "web"}, {"instance", "3"}}, 0)}));
  EXPECT_EQ(by_labels(eval("mem / (limit > 0) > 0.9", store)),
            (Values{{R"({instance="1", service="web"})", 0.95}}));
  EXPECT_EQ(by_labels(eval("mem / on(instance) limit < 0.5", store)),
            (Values{{R"({instance="2"})", 0.1}}));
  // Comparison filters keep the name and the left value; `bool` gives 0/1 and drops the name.
  EXPECT_EQ(by_labels(eval("mem > 60", store)),
            (Values{{R"({__name__="mem", instance="1", service="web"})", 95}}));
  EXPECT_EQ(by_labels(eval("60 < mem", store)),
            (Values{{R"({__name__="mem", instance="1", service="web"})", 95}}));
  EXPECT_EQ(by_labels(eval("mem > bool 60", store)).size(), 3u);
  EXPECT_EQ(by_labels(eval("mem > bool 60", store))[R"({instance="2", service="web"})"], 0);
  EXPECT_EQ(eval("2 * 3 + 1", store).scalar, 7);
  EXPECT_TRUE(eval("2 * 3 + 1", store).is_scalar);
}

TEST(Evaluator, SetOperators) {
  SeriesStore store(60'000);
  store.append(1'000, view({sample("a", {{"i", "1"}}, 1), sample("a", {{"i", "2"}}, 2),
                            sample("b", {{"i", "2"}}, 20), sample("b", {{"i", "3"}}, 30)}));
  EXPECT_EQ(by_labels(eval("a and b", store)), (Values{{R"({__name__="a", i="2"})", 2}}));
  EXPECT_EQ(by_labels(eval("a unless b", store)), (Values{{R"({__name__="a", i="1"})", 1}}));
  EXPECT_EQ(by_labels(eval("a or b", store)).size(), 3u);
}

TEST(Evaluator, ManyToManyIsAnError) {
  SeriesStore store(60'000);
  store.append(1'000, view({sample("a", {{"i", "1"}}, 1), sample("b", {{"i", "1"}, {"j", "x"}}, 2),
                            sample("b", {{"i", "1"}, {"j", "y"}}, 3)}));
  const promql::ExprPtr expr = testing::parse("a / on(i) b");
  const EvalResult result = evaluate(*expr, store, store.latest_time());
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.error.find("duplicate series"), std::string::npos) << result.error;
}

TEST(Evaluator, HistogramQuantileInterpolatesInsideTheBucket) {
  SeriesStore store(60'000);
  auto bucket = [](const char* le, double count) {
    return sample("h_bucket", {{"le", le}, {"route", "/"}}, count);
  };
  // 100 observations: 50 below 0.1 s, 40 more below 0.5 s, 10 more below 1 s.
  store.append(1'000,
               view({bucket("0.1", 50), bucket("0.5", 90), bucket("1", 100), bucket("+Inf", 100)}));
  const Value p50 = eval("histogram_quantile(0.5, h_bucket)", store);
  ASSERT_EQ(p50.vector.size(), 1u);
  EXPECT_DOUBLE_EQ(p50.vector[0].value, 0.1);
  EXPECT_EQ(p50.vector[0].labels, (Labels{{"route", "/"}}));
  EXPECT_DOUBLE_EQ(eval("histogram_quantile(0.7, h_bucket)", store).vector[0].value, 0.3);
  EXPECT_DOUBLE_EQ(eval("histogram_quantile(0.95, h_bucket)", store).vector[0].value, 0.75);
  // A rank in the +Inf bucket answers the highest finite bound.
  store.append(2'000,
               view({bucket("0.1", 50), bucket("0.5", 90), bucket("1", 100), bucket("+Inf", 200)}));
  EXPECT_DOUBLE_EQ(eval("histogram_quantile(0.99, h_bucket)", store).vector[0].value, 1.0);
  // No observations: NaN, which no comparison lets through.
  store.append(3'000, view({bucket("0.1", 0), bucket("+Inf", 0)}));
  EXPECT_TRUE(std::isnan(eval("histogram_quantile(0.5, h_bucket)", store).vector[0].value));
  EXPECT_TRUE(eval("histogram_quantile(0.5, h_bucket) > 0", store).vector.empty());
}

TEST(Evaluator, FunctionsOnInstantVectors) {
  SeriesStore store(60'000);
  store.append(5'000, view({sample("g", {{"i", "1"}}, -2.5)}));
  EXPECT_EQ(by_labels(eval("abs(g)", store)), (Values{{R"({i="1"})", 2.5}}));
  EXPECT_EQ(by_labels(eval("clamp_min(g, 0)", store)), (Values{{R"({i="1"})", 0}}));
  EXPECT_EQ(by_labels(eval(R"(absent(nothing{service="web"}))", store)),
            (Values{{R"({service="web"})", 1}}));
  EXPECT_TRUE(eval("absent(g)", store).vector.empty());
  EXPECT_EQ(eval("time()", store).scalar, 5);
}

}  // namespace
}  // namespace flotilla::observe
