#include "upstream/passive_health.hpp"

#include <gtest/gtest.h>

namespace flotilla::upstream {
namespace {

using std::chrono::seconds;

class PassiveHealthTest : public ::testing::Test {
 protected:
  TimePoint at(double s) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  bool available(double s) const { return health_.available(at(s), settings_); }

  TimePoint start_ = TimePoint{} + std::chrono::hours(1);
  PassiveHealthSettings settings_{3, seconds(10)};
  PassiveHealth health_;
};

TEST_F(PassiveHealthTest, FailFailFailDownForFailTimeoutThenTrialThenBack) {
  for (double t : {0.0, 1.0, 2.0}) {
    EXPECT_TRUE(available(t));
    health_.on_picked(at(t), settings_);
    health_.on_failure(at(t));
  }
  EXPECT_EQ(health_.fails(), 3U);
  EXPECT_FALSE(available(2.0));
  EXPECT_FALSE(available(12.0));  // fail_timeout counts from the last failure
  ASSERT_TRUE(available(12.5));

  health_.on_picked(at(12.5), settings_);  // the trial request
  EXPECT_FALSE(available(13.0)) << "only one trial per fail_timeout";
  EXPECT_TRUE(health_.on_success(settings_)) << "a successful trial restores the endpoint";
  EXPECT_EQ(health_.fails(), 0U);
  EXPECT_TRUE(available(13.0));
}

TEST_F(PassiveHealthTest, FailedTrialKeepsItDownForAnotherFailTimeout) {
  for (double t : {0.0, 1.0, 2.0}) health_.on_failure(at(t));
  health_.on_picked(at(13), settings_);
  health_.on_failure(at(13.5));
  EXPECT_FALSE(available(20));
  EXPECT_FALSE(available(23.5));
  EXPECT_TRUE(available(23.6));
}

TEST_F(PassiveHealthTest, SuccessesWithinTheWindowDoNotForgive) {
  health_.on_picked(at(0), settings_);
  health_.on_failure(at(0));
  health_.on_picked(at(1), settings_);
  EXPECT_FALSE(health_.on_success(settings_));
  health_.on_failure(at(2));
  EXPECT_FALSE(health_.on_success(settings_));
  health_.on_failure(at(5));
  EXPECT_FALSE(available(6));
}

TEST_F(PassiveHealthTest, AQuietFailTimeoutThenASuccessClearsFailures) {
  health_.on_failure(at(0));
  health_.on_failure(at(1));
  health_.on_picked(at(20), settings_);  // more than fail_timeout after the last failure
  EXPECT_FALSE(health_.on_success(settings_)) << "it was never down";
  EXPECT_EQ(health_.fails(), 0U);
  health_.on_failure(at(21));
  EXPECT_TRUE(available(21));
}

TEST_F(PassiveHealthTest, MaxFailsZeroDisables) {
  settings_.max_fails = 0;
  for (int t = 0; t < 10; ++t) health_.on_failure(at(t));
  EXPECT_TRUE(available(10));
}

TEST_F(PassiveHealthTest, ForgiveBringsItBack) {
  for (double t : {0.0, 1.0, 2.0}) health_.on_failure(at(t));
  health_.forgive();
  EXPECT_TRUE(available(3));
}

}  // namespace
}  // namespace flotilla::upstream
