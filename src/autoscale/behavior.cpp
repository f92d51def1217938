// Stabilisation and rate limits of the HPA (kubernetes pkg/controller/podautoscaler/
// horizontal.go: stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate,
// calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors, storeScaleEvent).
#include "autoscale/behavior.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace flotilla::autoscale {
namespace {

using config::ScalingPolicyType;
using config::ScalingRules;
using config::SelectPolicy;

// Replicas changed by the events strictly within `period` of `now`.
template <class Event>
std::int64_t change_in_period(const std::vector<Event>& events, Clock::time_point now,
                              config::Duration period) {
  std::int64_t replicas = 0;
  for (const auto& event : events) {
    if (event.at > now - period) replicas += event.change;
  }
  return replicas;
}

config::Duration longest_period(const ScalingRules& rules) {
  config::Duration longest{0};
  for (const config::ScalingPolicy& policy : rules.policies) {
    longest = std::max(longest, policy.period);
  }
  return longest;
}

}  // namespace

std::int64_t scale_up_limit(std::int64_t current, const std::vector<std::int64_t>& added,
                            const std::vector<std::int64_t>& removed, const ScalingRules& rules) {
  if (rules.select == SelectPolicy::disabled) return current;
  const bool take_min = rules.select == SelectPolicy::min;
  std::int64_t result = take_min ? std::numeric_limits<std::int64_t>::max()
                                 : std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < rules.policies.size(); ++i) {
    const config::ScalingPolicy& policy = rules.policies[i];
    const std::int64_t period_start = current - added[i] + removed[i];
    // Rounded up: a percentage that adds less than one pod must still add one.
    const std::int64_t proposed =
        policy.type == ScalingPolicyType::pods
            ? period_start + policy.value
            : static_cast<std::int64_t>(
                  std::ceil(static_cast<double>(period_start) * (1.0 + policy.value / 100.0)));
    result = take_min ? std::min(result, proposed) : std::max(result, proposed);
  }
  return result;
}

std::int64_t scale_down_limit(std::int64_t current, const std::vector<std::int64_t>& added,
                              const std::vector<std::int64_t>& removed, const ScalingRules& rules) {
  if (rules.select == SelectPolicy::disabled) return current;
  // Down, the smallest change ("min") is the largest count.
  const bool take_max = rules.select == SelectPolicy::min;
  std::int64_t result = take_max ? std::numeric_limits<std::int64_t>::min()
                                 : std::numeric_limits<std::int64_t>::max();
  for (std::size_t i = 0; i < rules.policies.size(); ++i) {
    const config::ScalingPolicy& policy = rules.policies[i];
    const std::int64_t period_start = current - added[i] + removed[i];
    // Truncated, as Kubernetes does: 72 × (1 - 10%) = 64.8 → 64.
    const std::int64_t proposed =
        policy.type == ScalingPolicyType::pods
            ? period_start - policy.value
            : static_cast<std::int64_t>(static_cast<double>(period_start) *
                                        (1.0 - policy.value / 100.0));
    result = take_max ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

void ScalingBehavior::start(Clock::time_point now, std::uint32_t current,
                            const config::Autoscale& settings) {
  started_ = true;
  if (settings.scale_down.stabilization.count() > 0) {
    recommendations_.push_back({now, current});
  }
}

std::uint32_t ScalingBehavior::stabilize(Clock::time_point now, std::uint32_t current,
                                         std::uint32_t desired, const config::Autoscale& settings,
                                         std::string& reason) {
  const Clock::time_point up_cutoff = now - settings.scale_up.stabilization;
  const Clock::time_point down_cutoff = now - settings.scale_down.stabilization;
  // Scaling up, the lowest recommendation of the up window; down, the highest of the down one.
  std::uint32_t up = desired;
  std::uint32_t down = desired;
  for (const Recommendation& r : recommendations_) {
    if (r.at > up_cutoff) up = std::min(up, r.replicas);
    if (r.at > down_cutoff) down = std::max(down, r.replicas);
  }
  std::uint32_t recommendation = std::max(current, up);
  recommendation = std::min(recommendation, down);
  // Recommendations older than both windows are of no further use.
  std::erase_if(recommendations_,
                [&](const Recommendation& r) { return r.at <= up_cutoff && r.at <= down_cutoff; });
  recommendations_.push_back({now, desired});
  reason = desired >= current ? "ScaleUpStabilized" : "ScaleDownStabilized";
  return recommendation;
}

Normalized ScalingBehavior::normalize(Clock::time_point now, std::uint32_t current,
                                      std::uint32_t desired, const config::Autoscale& settings) {
  Normalized out;
  const std::uint32_t stabilized = stabilize(now, current, desired, settings, out.reason);
  if (stabilized == desired) out.reason.clear();

  auto per_policy = [&](const ScalingRules& rules, const std::vector<ScaleEvent>& events) {
    std::vector<std::int64_t> out;
    for (const config::ScalingPolicy& policy : rules.policies) {
      out.push_back(change_in_period(events, now, policy.period));
    }
    return out;
  };
  std::uint32_t result = stabilized;
  const std::int64_t current64 = current;
  if (stabilized > current) {
    const ScalingRules& rules = settings.scale_up;
    std::int64_t limit = scale_up_limit(current64, per_policy(rules, up_events_),
                                        per_policy(rules, down_events_), rules);
    // No further growth until events of the period have aged out.
    limit = std::max(limit, current64);
    std::int64_t allowed = settings.max;
    std::string limiting = "TooManyReplicas";
    if (allowed > limit) {
      allowed = limit;
      limiting = "ScaleUpLimit";
    }
    if (stabilized > allowed) {
      result = static_cast<std::uint32_t>(allowed);
      out.reason = limiting;
    }
  } else if (stabilized < current) {
    const ScalingRules& rules = settings.scale_down;
    std::int64_t limit = scale_down_limit(current64, per_policy(rules, up_events_),
                                          per_policy(rules, down_events_), rules);
    limit = std::min(limit, current64);
    std::int64_t allowed = settings.min;
    std::string limiting = "TooFewReplicas";
    if (allowed < limit) {
      allowed = limit;
      limiting = "ScaleDownLimit";
    }
    if (stabilized < allowed) {
      result = static_cast<std::uint32_t>(allowed);
      out.reason = limiting;
    }
  }
  if (out.reason.empty()) out.reason = "DesiredWithinRange";
  out.replicas = result;
  return out;
}

void ScalingBehavior::record_scale(Clock::time_point now, std::uint32_t from, std::uint32_t to,
                                   const config::Autoscale& settings) {
  const bool up = to > from;
  std::vector<ScaleEvent>& events = up ? up_events_ : down_events_;
  const config::Duration keep = longest_period(up ? settings.scale_up : settings.scale_down);
  std::erase_if(events, [&](const ScaleEvent& e) { return e.at <= now - keep; });
  if (to != from) events.push_back({now, up ? to - from : from - to});
}

}  // namespace flotilla::autoscale
