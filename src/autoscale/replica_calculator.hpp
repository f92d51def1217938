// One metric's replica proposal, as the Kubernetes HPA's replica calculator makes it:
// desired = ceil(ready × average / target), nothing within the tolerance, and the conservative
// second pass for instances that are not ready or have no reading yet. Pure arithmetic on
// numbers the caller classified; never reads a clock, a process or a socket.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace flotilla::autoscale {

// Kubernetes' --horizontal-pod-autoscaler-tolerance default.
inline constexpr double kTolerance = 0.1;

// How one instance takes part in one metric (the HPA's groupPods).
enum class SampleGroup {
  ready,    // counted with its reading
  unready,  // starting, or (for CPU) not ready / its window started before it became ready
  missing,  // would count but has no reading yet
  ignored,  // stopping, failed, drained: not part of the calculation at all
};

struct InstanceSample {
  SampleGroup group = SampleGroup::ready;
  double value = 0;  // the reading (percent of the request, or requests/s, in flight...)
};

struct MetricTarget {
  double target = 0;  // percent for utilisation metrics, a plain value per instance otherwise
  // Utilisation of the request (CPU, memory): an instance without a reading counts as
  // max(100%, target) on a scale-down; for average values it counts as the target.
  bool utilization = false;
};

struct Proposal {
  std::uint32_t replicas = 0;  // the proposal (the current count when nothing should change)
  double average = 0;          // over the ready instances with a reading: what status shows
  std::uint32_t ready = 0;     // instances whose readings made `average`
};

// nullopt when no instance has a reading (the HPA's "did not receive metrics"): the metric is
// invalid for this round.
std::optional<Proposal> propose_replicas(std::uint32_t current,
                                         std::span<const InstanceSample> samples,
                                         const MetricTarget& target, double tolerance = kTolerance);

}  // namespace flotilla::autoscale
