#include "upstream/retry_budget.hpp"

#include <gtest/gtest.h>

namespace flotilla::upstream {
namespace {

TEST(RetryBudget, MinimumAppliesToLightTraffic) {
  RetryBudget budget(RetryBudgetSpec{20, 3});
  budget.on_request_start();
  EXPECT_EQ(budget.limit(), 3U);
  EXPECT_TRUE(budget.try_start_retry());
  EXPECT_TRUE(budget.try_start_retry());
  EXPECT_TRUE(budget.try_start_retry());
  EXPECT_FALSE(budget.try_start_retry());
  EXPECT_EQ(budget.active_retries(), 3U);
  budget.on_retry_end();
  EXPECT_TRUE(budget.try_start_retry());
}

TEST(RetryBudget, PercentOfActiveRequestsUnderLoad) {
  RetryBudget budget(RetryBudgetSpec{20, 3});
  for (int i = 0; i < 100; ++i) budget.on_request_start();
  EXPECT_EQ(budget.limit(), 20U);
  int granted = 0;
  while (budget.try_start_retry()) ++granted;
  EXPECT_EQ(granted, 20);
  for (int i = 0; i < 50; ++i) budget.on_request_end();
  EXPECT_EQ(budget.limit(), 10U);
  EXPECT_FALSE(budget.try_start_retry()) << "20 retries still active";
}

TEST(RetryBudget, UnbalancedEndsDoNotUnderflow) {
  RetryBudget budget(RetryBudgetSpec{20, 0});
  budget.on_request_end();
  budget.on_retry_end();
  EXPECT_EQ(budget.active_requests(), 0U);
  EXPECT_EQ(budget.active_retries(), 0U);
  EXPECT_FALSE(budget.try_start_retry()) << "min 0 and nothing active: no retry";
}

TEST(RetryBudget, NewSpecAppliesToCountsInProgress) {
  RetryBudget budget(RetryBudgetSpec{20, 3});
  for (int i = 0; i < 10; ++i) budget.on_request_start();
  budget.set_spec(RetryBudgetSpec{50, 1});
  EXPECT_EQ(budget.limit(), 5U);
}

}  // namespace
}  // namespace flotilla::upstream
