// Per-try timeout and hedge delay from the window: off, fixed (bounded by read), auto with too
// few samples, auto = max(floor, k × percentile) bounded by read.
#include "upstream/tail_policy.hpp"

#include <gtest/gtest.h>

namespace flotilla::upstream {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kNow = TimePoint{} + seconds(100);
constexpr AdaptiveTimeout kAuto{AdaptiveTimeout::Mode::automatic, Duration{0}};

LatencySummary window_of(int samples, Micros each) {
  LatencyWindow w;
  for (int i = 0; i < samples; ++i) w.record(each, kNow);
  return w.summary(kNow);
}

TEST(TailPolicyTest, PerTryTimeout) {
  const Duration read = seconds(60);
  const LatencySummary fast = window_of(100, Micros{800});      // 0.8 ms
  const LatencySummary slow = window_of(100, Micros{400'000});  // 400 ms
  EXPECT_EQ(per_try_timeout({}, fast, read), read);             // off
  EXPECT_EQ(per_try_timeout({AdaptiveTimeout::Mode::fixed, seconds(2)}, fast, read), seconds(2));
  EXPECT_EQ(per_try_timeout({AdaptiveTimeout::Mode::fixed, seconds(90)}, fast, read), read);
  EXPECT_EQ(per_try_timeout(kAuto, window_of(10, Micros{800}), read), read);  // too few
  EXPECT_EQ(per_try_timeout(kAuto, fast, read), kPerTryFloor);
  const Duration derived = per_try_timeout(kAuto, slow, read);
  EXPECT_GE(derived, milliseconds(1600));
  EXPECT_LE(derived, milliseconds(1920));
  EXPECT_EQ(per_try_timeout(kAuto, slow, seconds(1)), seconds(1));  // bounded by read
}

TEST(TailPolicyTest, HedgeDelay) {
  const Duration read = seconds(60);
  EXPECT_EQ(hedge_delay(kAuto, LatencySummary{}, read), kHedgeDefault);
  EXPECT_EQ(hedge_delay(kAuto, window_of(100, Micros{800}), read), kHedgeFloor);
  const Duration derived = hedge_delay(kAuto, window_of(100, Micros{50'000}), read);
  EXPECT_GE(derived, milliseconds(100));
  EXPECT_LE(derived, milliseconds(120));
  EXPECT_EQ(hedge_delay({AdaptiveTimeout::Mode::fixed, milliseconds(40)}, LatencySummary{}, read),
            milliseconds(40));
  EXPECT_EQ(hedge_delay(kAuto, LatencySummary{}, milliseconds(100)), milliseconds(100));
}

}  // namespace
}  // namespace flotilla::upstream
