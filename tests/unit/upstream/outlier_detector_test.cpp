#include "upstream/outlier_detector.hpp"

#include <gtest/gtest.h>

namespace flotilla::upstream {
namespace {

using std::chrono::seconds;

class OutlierDetectorTest : public ::testing::Test {
 protected:
  // Reports errors until the threshold trips; returns whether it did.
  bool errors(int count, TimePoint now) {
    bool tripped = false;
    for (int i = 0; i < count; ++i) tripped = detector_.on_error(state_, now) || tripped;
    return tripped;
  }
  // Trips the detector and ejects at `now`; returns the ejection length.
  Duration eject_at(TimePoint now) {
    EXPECT_TRUE(errors(5, now));
    detector_.eject(state_, now);
    return std::chrono::duration_cast<Duration>(state_.ejected_until - now);
  }

  TimePoint t0_ = TimePoint{} + std::chrono::hours(1);
  OutlierDetector detector_{OutlierSpec{}};
  OutlierState state_;
};

TEST_F(OutlierDetectorTest, TripsAfterConsecutiveErrors) {
  EXPECT_FALSE(errors(4, t0_));
  EXPECT_TRUE(errors(1, t0_));
}

TEST_F(OutlierDetectorTest, SuccessResetsTheCount) {
  EXPECT_FALSE(errors(4, t0_));
  detector_.on_success(state_);
  EXPECT_FALSE(errors(4, t0_));
  EXPECT_TRUE(errors(1, t0_));
}

TEST_F(OutlierDetectorTest, EjectionGrowsWithEachEjectionAndIsCapped) {
  TimePoint now = t0_;
  const std::vector<int> expected{30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 300};
  for (int length : expected) {
    const Duration got = eject_at(now);
    EXPECT_EQ(got, seconds(length));
    EXPECT_TRUE(detector_.ejected(state_, now + got - seconds(1)));
    now += got;  // back, and failing again at once
    EXPECT_FALSE(detector_.ejected(state_, now));
  }
}

TEST_F(OutlierDetectorTest, MultiplierDecaysWhileHealthy) {
  eject_at(t0_);                // 30 s
  eject_at(t0_ + seconds(30));  // 60 s, multiplier 2
  const TimePoint back = t0_ + seconds(90);
  EXPECT_EQ(eject_at(back + seconds(10)), seconds(60)) << "one interval healthy: 3 - 1";
  const TimePoint back_again = back + seconds(70);
  EXPECT_EQ(eject_at(back_again + seconds(600)), seconds(30)) << "fully decayed";
}

TEST_F(OutlierDetectorTest, ErrorsWhileEjectedAreIgnored) {
  eject_at(t0_);
  EXPECT_FALSE(errors(10, t0_ + seconds(1)));
  EXPECT_EQ(state_.times_ejected, 1U);
}

TEST_F(OutlierDetectorTest, DisabledWhenThresholdIsZero) {
  OutlierSpec spec;
  spec.consecutive_errors = 0;
  detector_ = OutlierDetector(spec);
  EXPECT_FALSE(errors(100, t0_));
}

TEST_F(OutlierDetectorTest, CapAllowsOneAndNeverTheLastAvailable) {
  // 10% of 10 endpoints: one at a time.
  EXPECT_TRUE(detector_.may_eject(10, 0, 9));
  EXPECT_FALSE(detector_.may_eject(10, 1, 8));
  // 10% of 25 rounds down to 2.
  EXPECT_TRUE(detector_.may_eject(25, 1, 20));
  EXPECT_FALSE(detector_.may_eject(25, 2, 20));
  // 10% of 3 rounds to zero, but one may still go…
  EXPECT_TRUE(detector_.may_eject(3, 0, 2));
  // …unless it is the last one that could take traffic.
  EXPECT_FALSE(detector_.may_eject(3, 0, 0));
  EXPECT_FALSE(detector_.may_eject(1, 0, 0));
}

TEST_F(OutlierDetectorTest, PercentHundredAllowsAllButTheLast) {
  OutlierSpec spec;
  spec.max_ejected_percent = 100;
  detector_ = OutlierDetector(spec);
  EXPECT_TRUE(detector_.may_eject(4, 2, 1));
  EXPECT_FALSE(detector_.may_eject(4, 3, 0));
}

}  // namespace
}  // namespace flotilla::upstream
