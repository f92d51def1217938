#include "observe/duration_histogram.hpp"

#include <gtest/gtest.h>

namespace flotilla::observe {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(DurationHistogram, BucketsAreUpperInclusive) {
  EXPECT_EQ(DurationHistogram::bucket_of(nanoseconds(0)), 0u);
  EXPECT_EQ(DurationHistogram::bucket_of(milliseconds(5)), 0u);  // le="0.005" holds 5 ms
  EXPECT_EQ(DurationHistogram::bucket_of(milliseconds(5) + nanoseconds(1)), 1u);
  EXPECT_EQ(DurationHistogram::bucket_of(milliseconds(10)), 1u);
  EXPECT_EQ(DurationHistogram::bucket_of(milliseconds(30)), 3u);  // (25 ms, 50 ms]
  EXPECT_EQ(DurationHistogram::bucket_of(seconds(1)), 7u);
  EXPECT_EQ(DurationHistogram::bucket_of(seconds(10)), 10u);
  EXPECT_EQ(DurationHistogram::bucket_of(seconds(10) + nanoseconds(1)), 11u);  // +Inf only
  EXPECT_EQ(DurationHistogram::bucket_of(seconds(3600)), 11u);
}

TEST(DurationHistogram, BoundsInNanosecondsMatchTheRenderedSeconds) {
  for (std::size_t i = 0; i < kDurationBounds.size(); ++i) {
    EXPECT_EQ(static_cast<double>(kDurationBoundsNs[i]) / 1e9, kDurationBounds[i]) << i;
  }
}

TEST(DurationHistogram, ObserveCountsSumsAndClampsNegatives) {
  DurationHistogram h;
  h.observe(milliseconds(3));
  h.observe(milliseconds(700));
  h.observe(nanoseconds(-5));
  EXPECT_EQ(h.count, 3u);
  EXPECT_EQ(h.sum_ns, 703'000'000u);
  EXPECT_EQ(h.counts[0], 2u);
  EXPECT_EQ(h.counts[7], 1u);  // (0.5 s, 1 s]
}

TEST(DurationHistogram, MergeAddsEveryBucket) {
  DurationHistogram a;
  DurationHistogram b;
  a.observe(milliseconds(1));
  b.observe(milliseconds(1));
  b.observe(seconds(20));
  a.merge(b);
  EXPECT_EQ(a.count, 3u);
  EXPECT_EQ(a.counts[0], 2u);
  EXPECT_EQ(a.counts[11], 1u);
  EXPECT_EQ(a.sum_ns, 20'002'000'000u);
}

}  // namespace
}  // namespace flotilla::observe
