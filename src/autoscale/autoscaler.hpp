// One service's autoscaler: every sync period, each configured metric's proposal (the HPA
// replica calculator), the largest wins, then the service's `behavior`; the outcome is a
// Decision the runtime applies with Supervisor::scale and shows in status, the API, metrics
// and the dashboard. Pure state machine: the caller brings the time and the readings, and
// scales; it never reads processes or sockets itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "autoscale/behavior.hpp"
#include "autoscale/replica_calculator.hpp"
#include "config/spec.hpp"

namespace flotilla::autoscale {

// One metric's samples for one round: "cpu" / "memory" (percent of the request), "rps" and
// "inflight" (per instance).
struct MetricSamples {
  std::string name;
  MetricTarget target;
  std::vector<InstanceSample> samples;
};

struct MetricStatus {
  std::string name;
  double target = 0;
  std::optional<double> value;            // the ready instances' average; none: no reading
  std::optional<std::uint32_t> proposal;  // replicas this metric alone asks for
  std::uint32_t ready = 0;                // instances whose readings made `value`
};

struct Decision {
  std::chrono::system_clock::time_point time{};
  std::uint32_t current = 0;  // the count when the round started
  std::uint32_t desired = 0;  // what the count should be now (== current: no change)
  std::uint32_t min = 0;
  std::uint32_t max = 0;
  std::optional<std::uint32_t> recommendation;  // the metrics' proposal, before `behavior`
  std::string condition;  // the HPA's reason: ScaleUpLimit, DesiredWithinRange, ...
  std::string reason;     // for people: "cpu 152% of target 50% → 7, limited to 4 by policy"
  std::vector<MetricStatus> metrics;
  bool changes() const { return desired != current; }
};

class ServiceAutoscaler {
 public:
  // One round. `rollout_running`: nothing changes while a rollout manages the counts.
  Decision evaluate(Clock::time_point now, std::chrono::system_clock::time_point wall,
                    std::uint32_t current, bool rollout_running,
                    const std::vector<MetricSamples>& metrics, const config::Autoscale& settings);
  // The runtime applied `decision` (the count went from its current to its desired).
  void applied(Clock::time_point now, const Decision& decision, const config::Autoscale& settings);

  const std::optional<Decision>& last() const { return last_; }
  // The most recent decisions that changed the count (newest last), at most kKeptChanges.
  const std::deque<Decision>& changes() const { return changes_; }
  static constexpr std::size_t kKeptChanges = 20;

 private:
  ScalingBehavior behavior_;
  std::optional<Decision> last_;
  std::deque<Decision> changes_;
};

}  // namespace flotilla::autoscale
