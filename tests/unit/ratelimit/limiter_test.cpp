// The limiter: registry sharing by name and parameters, and the delay queue's bound.
#include "ratelimit/limiter.hpp"

#include <gtest/gtest.h>

namespace flotilla::ratelimit {
namespace {

TEST(Limiter, SameNameAndParamsShareOneLimiter) {
  const GcraParams params = make_params(10, 1'000'000, 0, false);
  const auto a = shared_limiter("limiter_test_api", params);
  const auto b = shared_limiter("limiter_test_api", params);
  EXPECT_EQ(a.get(), b.get());
  const auto other = shared_limiter("limiter_test_other", params);
  EXPECT_NE(a.get(), other.get());
}

TEST(Limiter, ChangedParamsMakeANewLimiter) {
  const auto a = shared_limiter("limiter_test_changed", make_params(10, 1'000'000, 0, false));
  const auto b = shared_limiter("limiter_test_changed", make_params(20, 1'000'000, 0, false));
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(b->params().quota, 20u);
}

TEST(Limiter, AReleasedLimiterStartsAfresh) {
  const GcraParams params = make_params(1, 3'600'000'000, 0, false);
  auto a = shared_limiter("limiter_test_released", params);
  EXPECT_TRUE(a->acquire(42, 1'000'000).allowed);
  EXPECT_FALSE(a->acquire(42, 1'000'000).allowed);
  a.reset();
  auto b = shared_limiter("limiter_test_released", params);
  EXPECT_TRUE(b->acquire(42, 1'000'000).allowed);
}

TEST(Limiter, DelayQueueIsBounded) {
  Limiter limiter(make_params(1, 1'000'000, 5, true), 64, 2);
  EXPECT_TRUE(limiter.enter_delay());
  EXPECT_TRUE(limiter.enter_delay());
  EXPECT_FALSE(limiter.enter_delay());
  limiter.leave_delay();
  EXPECT_TRUE(limiter.enter_delay());
  EXPECT_EQ(limiter.delayed(), 2u);
}

TEST(Limiter, MonotonicMicrosMoves) {
  const Micros a = monotonic_micros();
  const Micros b = monotonic_micros();
  EXPECT_GE(b, a);
  EXPECT_GT(a, 0);
}

}  // namespace
}  // namespace flotilla::ratelimit
