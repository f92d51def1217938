// GCRA with CloudFlare's meaning of N/period + burst, on a fake clock (plain µs values).
#include "ratelimit/gcra.hpp"

#include <gtest/gtest.h>

namespace flotilla::ratelimit {
namespace {

constexpr Micros kSecond = 1'000'000;
constexpr Micros kMinute = 60 * kSecond;

// Sends `count` requests at `now` and returns how many were admitted.
int admit(Micros& tat, Micros now, const GcraParams& params, int count) {
  int admitted = 0;
  for (int i = 0; i < count; ++i) {
    const Step step = gcra_step(tat, now, params);
    tat = step.tat;
    admitted += step.decision.allowed ? 1 : 0;
  }
  return admitted;
}

TEST(Gcra, FreshClientGetsNAtOnceThenRefillsAtNPerPeriod) {
  const GcraParams params = make_params(100, kMinute, 0, false);
  EXPECT_EQ(params.emission, 600'000);
  Micros tat = 0;
  const Micros start = 10 * kMinute;
  EXPECT_EQ(admit(tat, start, params, 150), 100);
  // Half a period later, half the budget is back.
  EXPECT_EQ(admit(tat, start + kMinute / 2, params, 100), 50);
  // A whole idle period later, all of it.
  EXPECT_EQ(admit(tat, start + 2 * kMinute, params, 200), 100);
}

TEST(Gcra, BurstAddsCapacityAboveN) {
  const GcraParams params = make_params(100, kMinute, 20, false);
  Micros tat = 0;
  EXPECT_EQ(admit(tat, kMinute, params, 200), 120);
}

TEST(Gcra, RejectionSaysWhenToRetryAndLeavesStateAlone) {
  const GcraParams params = make_params(2, 10 * kSecond, 0, false);
  Micros tat = 0;
  const Micros now = 100 * kSecond;
  ASSERT_EQ(admit(tat, now, params, 2), 2);
  const Step refused = gcra_step(tat, now, params);
  EXPECT_FALSE(refused.decision.allowed);
  EXPECT_EQ(refused.tat, tat);
  EXPECT_EQ(refused.decision.retry_after, 5 * kSecond);
  EXPECT_EQ(refused.decision.remaining, 0u);
  EXPECT_EQ(refused.decision.reset, 10 * kSecond);
  // Exactly at retry_after it passes.
  EXPECT_TRUE(gcra_step(tat, now + refused.decision.retry_after, params).decision.allowed);
  EXPECT_FALSE(gcra_step(tat, now + refused.decision.retry_after - 1, params).decision.allowed);
}

TEST(Gcra, RemainingCountsDown) {
  const GcraParams params = make_params(5, kSecond, 0, false);
  Micros tat = 0;
  for (std::uint64_t expected = 4;; --expected) {
    const Step step = gcra_step(tat, kSecond, params);
    ASSERT_TRUE(step.decision.allowed);
    EXPECT_EQ(step.decision.remaining, expected);
    tat = step.tat;
    if (expected == 0) break;
  }
}

TEST(Gcra, DelayModeHoldsRequestsOverNWithinBurst) {
  // nginx `limit_req rate=10r/s burst=5` (no nodelay) is 1/100ms with burst 5 in delay mode.
  const GcraParams params = make_params(1, 100'000, 5, true);
  Micros tat = 0;
  const Micros now = kSecond;
  std::vector<Micros> delays;
  for (int i = 0; i < 8; ++i) {
    const Step step = gcra_step(tat, now, params);
    tat = step.tat;
    if (!step.decision.allowed) break;
    delays.push_back(step.decision.delay);
  }
  EXPECT_EQ(delays, (std::vector<Micros>{0, 100'000, 200'000, 300'000, 400'000, 500'000}));
}

TEST(Gcra, RejectModeNeverDelays) {
  const GcraParams params = make_params(1, kSecond, 3, false);
  Micros tat = 0;
  for (int i = 0; i < 4; ++i) {
    const Step step = gcra_step(tat, kSecond, params);
    ASSERT_TRUE(step.decision.allowed);
    EXPECT_EQ(step.decision.delay, 0);
    tat = step.tat;
  }
}

TEST(Gcra, ShortPeriodsRoundTheIntervalToMicroseconds) {
  EXPECT_EQ(make_params(20, 10 * kSecond, 0, false).emission, 500'000);
  EXPECT_EQ(make_params(3, kSecond, 0, false).emission, 333'333);
  EXPECT_EQ(make_params(10'000'000, kSecond, 0, false).emission, 1);
}

TEST(Gcra, SteadyRateOverAPeriodAdmitsNPlusTheInitialBudget) {
  // A client sending far over its rate for 10 periods gets N at once, then N per period.
  const GcraParams params = make_params(20, 10 * kSecond, 0, false);
  Micros tat = 0;
  int admitted = 0;
  for (Micros t = 0; t < 100 * kSecond; t += 10'000) admitted += admit(tat, kSecond + t, params, 1);
  EXPECT_GE(admitted, 20 + 200 - 1);
  EXPECT_LE(admitted, 20 + 200);
}

}  // namespace
}  // namespace flotilla::ratelimit
