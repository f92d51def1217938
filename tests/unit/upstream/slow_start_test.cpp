#include "upstream/slow_start.hpp"

#include <gtest/gtest.h>

namespace flotilla::upstream {
namespace {

using std::chrono::seconds;

const TimePoint kJoined = TimePoint{} + std::chrono::hours(1);

TEST(SlowStart, RampsLinearlyFromTenPercentToFull) {
  const Duration ramp = seconds(100);
  EXPECT_EQ(slow_start_weight(2, kJoined, kJoined, ramp), 20U);                 // 10% of 200
  EXPECT_EQ(slow_start_weight(2, kJoined, kJoined + seconds(50), ramp), 110U);  // 55%
  EXPECT_EQ(slow_start_weight(2, kJoined, kJoined + seconds(99), ramp), 198U);
  EXPECT_EQ(slow_start_weight(2, kJoined, kJoined + seconds(100), ramp), 200U);
  EXPECT_EQ(slow_start_weight(2, kJoined, kJoined + seconds(1000), ramp), 200U);
}

TEST(SlowStart, NoRampWhenDisabledOrNeverStarted) {
  EXPECT_EQ(slow_start_weight(3, kJoined, kJoined, Duration{0}), 3 * kWeightScale);
  EXPECT_EQ(slow_start_weight(3, TimePoint{}, kJoined, seconds(30)), 3 * kWeightScale);
}

TEST(SlowStart, NeverZero) {
  EXPECT_GE(slow_start_weight(0, kJoined, kJoined, seconds(30)), 1U);
}

TEST(SlowStart, ClockBeforeTheStartCountsAsTheStart) {
  EXPECT_EQ(slow_start_weight(1, kJoined, kJoined - seconds(5), seconds(30)), 10U);
}

}  // namespace
}  // namespace flotilla::upstream
