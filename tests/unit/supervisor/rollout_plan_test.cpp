// Kubernetes rolling-update arithmetic: rounding, the both-zero rule, port capacity, and steps.
#include "supervisor/rollout_plan.hpp"

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

config::RolloutConfig make(config::IntOrPercent surge, config::IntOrPercent unavailable) {
  config::RolloutConfig c;
  c.max_surge = surge;
  c.max_unavailable = unavailable;
  return c;
}

TEST(RolloutBudget, PercentSurgeRoundsUpUnavailableDown) {
  const RolloutBudget b = rollout_budget(make({25, true}, {25, true}), 3, std::nullopt);
  EXPECT_EQ(b.surge, 1u);        // 0.75 → 1
  EXPECT_EQ(b.unavailable, 0u);  // 0.75 → 0
  const RolloutBudget ten = rollout_budget(make({25, true}, {25, true}), 10, std::nullopt);
  EXPECT_EQ(ten.surge, 3u);
  EXPECT_EQ(ten.unavailable, 2u);
}

TEST(RolloutBudget, NeverBothZero) {
  const RolloutBudget b = rollout_budget(make({10, true}, {10, true}), 3, std::nullopt);
  EXPECT_EQ(b.surge, 1u);
  EXPECT_EQ(b.unavailable, 0u);
}

TEST(RolloutBudget, SurgeLimitedBySparePorts) {
  EXPECT_EQ(rollout_budget(make({5, false}, {0, false}), 3, 5).surge, 2u);
  const RolloutBudget full = rollout_budget(make({1, false}, {0, false}), 3, 3);
  EXPECT_EQ(full.surge, 0u);
  EXPECT_EQ(full.unavailable, 1u);  // one at a time, in place
}

TEST(RolloutStep, SurgeFirstThenReplaceAsNewOnesBecomeReady) {
  const RolloutBudget budget{1, 0};
  RolloutStep s = plan_rollout_step({3, 0, 0, 3, 3}, budget);
  EXPECT_EQ(s.start_new, 1u);
  EXPECT_EQ(s.stop_old_available, 0u);
  s = plan_rollout_step({3, 1, 0, 3, 3}, budget);  // the new one is not ready yet
  EXPECT_EQ(s.start_new, 0u);
  EXPECT_EQ(s.stop_old_available, 0u);
  s = plan_rollout_step({3, 1, 1, 3, 3}, budget);
  EXPECT_EQ(s.start_new, 0u);
  EXPECT_EQ(s.stop_old_available, 1u);
  s = plan_rollout_step({3, 1, 1, 2, 2}, budget);
  EXPECT_EQ(s.start_new, 1u);
}

TEST(RolloutStep, UnavailableOldInstancesGoFirstAndFreeSurgeSlots) {
  const RolloutStep s = plan_rollout_step({3, 0, 0, 3, 2}, RolloutBudget{1, 0});
  EXPECT_EQ(s.stop_old_unavailable, 1u);
  EXPECT_EQ(s.start_new, 2u);  // 2 old left running: room for 2 new within 3 + surge 1
  EXPECT_EQ(s.stop_old_available, 0u);
}

TEST(RolloutStep, NeverStopsTheLastAvailableInstance) {
  const RolloutStep s = plan_rollout_step({1, 1, 0, 1, 1}, RolloutBudget{0, 1});
  EXPECT_EQ(s.stop_old_available, 0u);
  const RolloutStep in_place = plan_rollout_step({3, 0, 0, 3, 3}, RolloutBudget{0, 1});
  EXPECT_EQ(in_place.stop_old_available, 1u);
  EXPECT_EQ(in_place.start_new, 0u);
}

TEST(RolloutStep, ScaleToZeroStopsEverything) {
  const RolloutStep s = plan_rollout_step({0, 0, 0, 2, 2}, RolloutBudget{1, 0});
  EXPECT_EQ(s.start_new, 0u);
  EXPECT_EQ(s.stop_old_available, 2u);
}

}  // namespace
}  // namespace flotilla::supervisor
