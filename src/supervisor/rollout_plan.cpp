// Kubernetes' rolling-update arithmetic (pkg/controller/deployment/rolling.go), restated for
// instances instead of ReplicaSets.
#include "supervisor/rollout_plan.hpp"

#include <algorithm>

namespace flotilla::supervisor {
namespace {

std::uint32_t resolve(const config::IntOrPercent& value, std::uint32_t desired, bool round_up) {
  if (!value.percent) return value.value;
  const std::uint64_t scaled = std::uint64_t{desired} * value.value;
  return static_cast<std::uint32_t>(round_up ? (scaled + 99) / 100 : scaled / 100);
}

std::uint32_t minus(std::uint32_t a, std::uint32_t b) {
  return a > b ? a - b : 0;
}

}  // namespace

RolloutBudget rollout_budget(const config::RolloutConfig& config, std::uint32_t desired,
                             std::optional<std::uint32_t> port_capacity) {
  RolloutBudget budget;
  budget.surge = resolve(config.max_surge, desired, true);
  budget.unavailable = std::min(resolve(config.max_unavailable, desired, false), desired);
  if (budget.surge == 0 && budget.unavailable == 0) budget.surge = 1;
  if (port_capacity) {
    budget.surge = std::min(budget.surge, minus(*port_capacity, desired));
    if (budget.surge == 0 && budget.unavailable == 0) budget.unavailable = 1;
  }
  return budget;
}

RolloutStep plan_rollout_step(const RolloutCounts& c, const RolloutBudget& budget) {
  RolloutStep step;
  step.stop_old_unavailable = c.old_total - std::min(c.old_available, c.old_total);
  const std::uint32_t total = c.new_total + c.old_total - step.stop_old_unavailable;
  step.start_new = std::min(minus(c.desired, c.new_total), minus(c.desired + budget.surge, total));

  std::uint32_t min_available = minus(c.desired, budget.unavailable);
  if (c.desired > 0) min_available = std::max<std::uint32_t>(min_available, 1);
  const std::uint32_t available = c.new_available + c.old_available;
  step.stop_old_available = std::min(c.old_available, minus(available, min_available));
  return step;
}

}  // namespace flotilla::supervisor
