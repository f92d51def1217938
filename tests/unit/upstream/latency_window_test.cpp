// The latency window: bucket bounds, percentiles within a bucket's width, the two halves
// rotating (old samples leave after 10-20 s), and no samples at all.
#include "upstream/latency_window.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace flotilla::upstream {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(LatencyWindowTest, BucketsCoverEveryValueInOrder) {
  std::size_t previous = 0;
  for (std::uint64_t v = 0; v < 100'000; ++v) {
    const std::size_t b = LatencyWindow::bucket_of(v);
    ASSERT_GE(b, previous) << v;
    ASSERT_LE(v, LatencyWindow::upper_bound(b)) << v;
    if (b > 0) {
      ASSERT_GT(v, LatencyWindow::upper_bound(b - 1)) << v;
    }
    previous = b;
  }
  EXPECT_EQ(LatencyWindow::bucket_of(UINT64_MAX), LatencyWindow::kBuckets - 1);
}

TEST(LatencyWindowTest, PercentilesWithinTwentyPercent) {
  LatencyWindow window;
  const TimePoint t0 = TimePoint{} + seconds(100);
  for (int i = 1; i <= 1000; ++i) window.record(Micros{i * 1000}, t0);  // 1..1000 ms
  EXPECT_EQ(window.count(t0), 1000U);
  const auto p50 = window.percentile(0.50, t0).count();
  const auto p99 = window.percentile(0.99, t0).count();
  EXPECT_GE(p50, 500'000);
  EXPECT_LE(p50, 600'000);
  EXPECT_GE(p99, 990'000);
  EXPECT_LE(p99, 1'190'000);
}

TEST(LatencyWindowTest, EmptyIsZero) {
  const LatencyWindow window;
  EXPECT_EQ(window.percentile(0.99, TimePoint{} + seconds(5)).count(), 0);
  EXPECT_EQ(window.count(TimePoint{} + seconds(5)), 0U);
}

TEST(LatencyWindowTest, OldSamplesLeave) {
  LatencyWindow window;
  const TimePoint t0 = TimePoint{} + seconds(100);
  for (int i = 0; i < 100; ++i) window.record(milliseconds(5000), t0);
  window.record(milliseconds(1), t0 + seconds(11));  // rotates: the 5 s samples are "previous"
  EXPECT_EQ(window.count(t0 + seconds(11)), 101U);
  EXPECT_GE(window.percentile(0.99, t0 + seconds(11)).count(), 5'000'000);
  // 10 s after that rotation, the previous half is out of the window.
  EXPECT_EQ(window.count(t0 + seconds(21) + milliseconds(1)), 1U);
  EXPECT_LE(window.percentile(0.99, t0 + seconds(21) + milliseconds(1)).count(),
            static_cast<long>(LatencyWindow::upper_bound(LatencyWindow::bucket_of(1000))));
  // And 20 s after it, everything is.
  EXPECT_EQ(window.count(t0 + seconds(40)), 0U);
}

TEST(LatencyWindowTest, SummaryIsPercentilesInOneWalk) {
  const TimePoint t0 = TimePoint{} + seconds(100);
  // Each shape: (latency in µs for sample i); then read at several times across rotations.
  const std::vector<std::uint64_t (*)(int)> shapes = {
      [](int i) { return static_cast<std::uint64_t>(i); },
      [](int i) { return static_cast<std::uint64_t>(i % 50 == 0 ? 3'000'000 : 800); },
      [](int) { return std::uint64_t{0}; },
      [](int i) { return static_cast<std::uint64_t>(i) << 24; }};  // reaches the last bucket
  for (auto shape : shapes) {
    for (int count : {1, 7, 100, 1000}) {
      LatencyWindow window;
      for (int i = 0; i < count; ++i) {
        window.record(Micros{static_cast<Micros::rep>(shape(i))}, t0 + milliseconds(i * 15));
      }
      for (int later_ms : {0, 5'000, 12'000, 25'000, 45'000}) {
        const TimePoint at = t0 + milliseconds(count * 15 + later_ms);
        const LatencySummary s = window.summary(at);
        EXPECT_EQ(s.samples, window.count(at));
        EXPECT_EQ(s.p95, window.percentile(0.95, at)) << count << " at +" << later_ms;
        EXPECT_EQ(s.p99, window.percentile(0.99, at)) << count << " at +" << later_ms;
      }
    }
  }
}

}  // namespace
}  // namespace flotilla::upstream
