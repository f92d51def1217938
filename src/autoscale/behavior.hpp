// The HPA's `behavior` for one service: stabilisation windows over past recommendations and
// rate limits (Pods / Percent per period, select max|min|disabled) over past scale events, as
// kubernetes' normalizeDesiredReplicasWithBehaviors does. Pure: the caller passes the time;
// never scales anything itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/spec.hpp"

namespace flotilla::autoscale {

using Clock = std::chrono::steady_clock;

struct Normalized {
  std::uint32_t replicas = 0;
  // The HPA's condition reasons: ScaleUpStabilized / ScaleDownStabilized when the window held
  // the recommendation back, ScaleUpLimit / ScaleDownLimit when a policy did, TooManyReplicas /
  // TooFewReplicas at max / min, DesiredWithinRange otherwise.
  std::string reason;
};

class ScalingBehavior {
 public:
  // The first evaluation of a service: with a scale-down window, the current count counts as a
  // recommendation made now, so nothing scales down within one window of the start (the HPA's
  // maybeInitScaleDownStabilizationWindow).
  void start(Clock::time_point now, std::uint32_t current, const config::Autoscale& settings);
  bool started() const { return started_; }

  // The recommendation `desired` (straight from the metrics) brought within the stabilisation
  // windows, then within the policies' rate limits and [min, max]. Records the recommendation.
  Normalized normalize(Clock::time_point now, std::uint32_t current, std::uint32_t desired,
                       const config::Autoscale& settings);

  // After a change of the count (by the autoscaler): counted against the policies' periods.
  void record_scale(Clock::time_point now, std::uint32_t from, std::uint32_t to,
                    const config::Autoscale& settings);

 private:
  struct Recommendation {
    Clock::time_point at;
    std::uint32_t replicas = 0;
  };
  struct ScaleEvent {
    Clock::time_point at;
    std::uint32_t change = 0;
  };

  std::uint32_t stabilize(Clock::time_point now, std::uint32_t current, std::uint32_t desired,
                          const config::Autoscale& settings, std::string& reason);
  std::vector<Recommendation> recommendations_;
  std::vector<ScaleEvent> up_events_;
  std::vector<ScaleEvent> down_events_;
  bool started_ = false;
};

// The most the count may grow to now / shrink to now under `rules`, given the events of the
// policies' periods (exposed for the unit tables).
std::int64_t scale_up_limit(std::int64_t current, const std::vector<std::int64_t>& added_per_policy,
                            const std::vector<std::int64_t>& removed_per_policy,
                            const config::ScalingRules& rules);
std::int64_t scale_down_limit(std::int64_t current,
                              const std::vector<std::int64_t>& added_per_policy,
                              const std::vector<std::int64_t>& removed_per_policy,
                              const config::ScalingRules& rules);

}  // namespace flotilla::autoscale
