// The arithmetic of a rolling update, with Kubernetes Deployment semantics: how many instances
// may run above the desired count (max_surge, rounded up) and below it (max_unavailable, rounded
// down), and from the counts at one moment, how many new instances to start and old ones to stop.
// Pure: no processes, no clock; rollout.cpp drives it.
#pragma once

#include <cstdint>
#include <optional>

#include "config/spec.hpp"

namespace flotilla::supervisor {

struct RolloutBudget {
  std::uint32_t surge = 1;
  std::uint32_t unavailable = 0;
};

// `port_capacity`: how many instances the service's port range can hold (none for a worker).
// Surge is capped by the ports left over beyond `desired`; when surge and unavailable are both 0
// the rollout could never progress, so surge becomes 1 — or, with no spare port, unavailable 1.
RolloutBudget rollout_budget(const config::RolloutConfig& config, std::uint32_t desired,
                             std::optional<std::uint32_t> port_capacity);

struct RolloutCounts {
  std::uint32_t desired = 0;        // replicas of the new revision
  std::uint32_t new_total = 0;      // live new-revision instances (not stopping)
  std::uint32_t new_available = 0;  // of those, available
  std::uint32_t old_total = 0;      // live instances of earlier revisions (not stopping)
  std::uint32_t old_available = 0;  // of those, available
};

struct RolloutStep {
  std::uint32_t start_new = 0;
  std::uint32_t stop_old_unavailable = 0;  // old instances that serve nothing: always removable
  std::uint32_t stop_old_available = 0;
};

// Never stops an available old instance when that would leave fewer than desired - unavailable
// available instances, nor the last available one while desired > 0 (the service keeps serving
// even with max_unavailable = 100%).
RolloutStep plan_rollout_step(const RolloutCounts& counts, const RolloutBudget& budget);

}  // namespace flotilla::supervisor
