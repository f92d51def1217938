// The HPA's `behavior`: the rate limits of the Kubernetes documentation's examples (the default
// +4 pods or +100% per 15 s; the scale-down policies of 4 pods or 10% per minute, 80 → 72 → 64
// and 26 below 40; select min; disabled), and the stabilisation windows (the default 5-minute
// scale-down window from the start, the highest recommendation wins; a scale-up window).
#include "autoscale/behavior.hpp"

#include <gtest/gtest.h>

namespace flotilla::autoscale {
namespace {

using namespace std::chrono_literals;
using config::ScalingPolicy;
using config::ScalingPolicyType;
using config::SelectPolicy;

const Clock::time_point kBehaviorT0 = Clock::time_point{} + 1000h;

config::Autoscale settings(std::uint32_t min, std::uint32_t max) {
  config::Autoscale a;
  a.min = min;
  a.max = max;
  return a;
}

// The documentation's scale-down example: 4 pods or 10% per 60 s, the larger change.
config::Autoscale doc_scale_down() {
  config::Autoscale a = settings(1, 100);
  a.scale_down.stabilization = 0s;
  a.scale_down.policies = {{ScalingPolicyType::pods, 4, config::Duration{60s}},
                           {ScalingPolicyType::percent, 10, config::Duration{60s}}};
  return a;
}

TEST(ScaleLimits, DefaultScaleUpIsFourPodsOrDoubleWhicheverIsMore) {
  const config::ScalingRules up = config::default_scale_up();
  EXPECT_EQ(scale_up_limit(1, {0, 0}, {0, 0}, up), 5);    // max(1 + 4, 2)
  EXPECT_EQ(scale_up_limit(4, {0, 0}, {0, 0}, up), 8);    // max(8, 8)
  EXPECT_EQ(scale_up_limit(10, {0, 0}, {0, 0}, up), 20);  // max(14, 20)
  // Within the period after 1 → 5, the period started at 1: no further growth.
  EXPECT_EQ(scale_up_limit(5, {4, 4}, {0, 0}, up), 5);
}

TEST(ScaleLimits, DocumentationScaleDownExample) {
  const config::ScalingRules down = doc_scale_down().scale_down;
  EXPECT_EQ(scale_down_limit(80, {0, 0}, {0, 0}, down), 72);  // 10% of 80 = 8 > 4
  EXPECT_EQ(scale_down_limit(72, {0, 0}, {0, 0}, down), 64);  // 72 × 0.9 = 64.8 → 64: 8 again
  EXPECT_EQ(scale_down_limit(30, {0, 0}, {0, 0}, down), 26);  // below 40 the 4 pods win
  config::ScalingRules min_change = down;
  min_change.select = SelectPolicy::min;
  EXPECT_EQ(scale_down_limit(80, {0, 0}, {0, 0}, min_change), 76);
  config::ScalingRules disabled = down;
  disabled.select = SelectPolicy::disabled;
  EXPECT_EQ(scale_down_limit(80, {0, 0}, {0, 0}, disabled), 80);
}

TEST(ScaleLimits, PercentUpRoundsUpSoOnePodIsAlwaysPossible) {
  config::ScalingRules up{0s, SelectPolicy::max, {{ScalingPolicyType::percent, 10, 15s}}};
  EXPECT_EQ(scale_up_limit(3, {0}, {0}, up), 4);  // ceil(3.3)
}

TEST(ScalingBehavior, DefaultUpRateOverSuccessivePeriods) {
  const config::Autoscale a = settings(1, 50);
  ScalingBehavior b;
  b.start(kBehaviorT0, 1, a);
  Normalized n = b.normalize(kBehaviorT0, 1, 40, a);
  EXPECT_EQ(n.replicas, 5u);
  EXPECT_EQ(n.reason, "ScaleUpLimit");
  b.record_scale(kBehaviorT0, 1, 5, a);
  // 5 s later the period still began at 1: held at 5.
  n = b.normalize(kBehaviorT0 + 5s, 5, 40, a);
  EXPECT_EQ(n.replicas, 5u);
  EXPECT_EQ(n.reason, "ScaleUpLimit");
  // Once the period is over: max(5 + 4, 10).
  n = b.normalize(kBehaviorT0 + 16s, 5, 40, a);
  EXPECT_EQ(n.replicas, 10u);
  b.record_scale(kBehaviorT0 + 16s, 5, 10, a);
  n = b.normalize(kBehaviorT0 + 32s, 10, 40, a);
  EXPECT_EQ(n.replicas, 20u);
}

TEST(ScalingBehavior, DocumentationScaleDownOverPeriods) {
  const config::Autoscale a = doc_scale_down();
  ScalingBehavior b;
  b.start(kBehaviorT0, 80, a);
  Normalized n = b.normalize(kBehaviorT0, 80, 10, a);
  EXPECT_EQ(n.replicas, 72u);
  EXPECT_EQ(n.reason, "ScaleDownLimit");
  b.record_scale(kBehaviorT0, 80, 72, a);
  EXPECT_EQ(b.normalize(kBehaviorT0 + 30s, 72, 10, a).replicas, 72u);  // the minute began at 80
  n = b.normalize(kBehaviorT0 + 61s, 72, 10, a);
  EXPECT_EQ(n.replicas, 64u);
}

TEST(ScalingBehavior, DefaultScaleDownWaitsFiveMinutesForTheHighestRecommendation) {
  const config::Autoscale a = settings(1, 10);
  ScalingBehavior b;
  b.start(kBehaviorT0, 6, a);  // the count at the start counts as a recommendation
  Normalized n = b.normalize(kBehaviorT0 + 15s, 6, 2, a);
  EXPECT_EQ(n.replicas, 6u);
  EXPECT_EQ(n.reason, "ScaleDownStabilized");
  b.normalize(kBehaviorT0 + 100s, 6, 4, a);
  b.normalize(kBehaviorT0 + 200s, 6, 2, a);
  // The start's 6 has left the window; 4 (at 100 s) is the highest left.
  n = b.normalize(kBehaviorT0 + 301s, 6, 2, a);
  EXPECT_EQ(n.replicas, 4u);
  EXPECT_EQ(n.reason, "ScaleDownStabilized");
  b.record_scale(kBehaviorT0 + 301s, 6, 4, a);
  n = b.normalize(kBehaviorT0 + 401s, 4, 2, a);
  EXPECT_EQ(n.replicas, 2u);
  EXPECT_EQ(n.reason, "DesiredWithinRange");
}

TEST(ScalingBehavior, ScaleUpStabilizationTakesTheLowestRecommendation) {
  config::Autoscale a = settings(1, 10);
  a.scale_up.stabilization = 60s;
  a.scale_down.stabilization = 0s;
  ScalingBehavior b;
  b.start(kBehaviorT0, 3, a);
  EXPECT_EQ(b.normalize(kBehaviorT0, 3, 3, a).replicas, 3u);
  const Normalized n = b.normalize(kBehaviorT0 + 10s, 3, 6, a);
  EXPECT_EQ(n.replicas, 3u);
  EXPECT_EQ(n.reason, "ScaleUpStabilized");
  EXPECT_EQ(b.normalize(kBehaviorT0 + 61s, 3, 6, a).replicas, 6u);
}

TEST(ScalingBehavior, BoundsAtMinAndMax) {
  config::Autoscale a = settings(2, 10);
  a.scale_down.stabilization = 0s;
  ScalingBehavior b;
  b.start(kBehaviorT0, 8, a);
  Normalized n = b.normalize(kBehaviorT0, 8, 20, a);
  EXPECT_EQ(n.replicas, 10u);
  EXPECT_EQ(n.reason, "TooManyReplicas");
  n = b.normalize(kBehaviorT0 + 1s, 8, 1, a);
  EXPECT_EQ(n.replicas, 2u);
  EXPECT_EQ(n.reason, "TooFewReplicas");
}

TEST(ScalingBehavior, DisabledDirectionNeverMoves) {
  config::Autoscale a = settings(1, 10);
  a.scale_down.stabilization = 0s;
  a.scale_down.select = SelectPolicy::disabled;
  ScalingBehavior b;
  b.start(kBehaviorT0, 5, a);
  const Normalized n = b.normalize(kBehaviorT0, 5, 1, a);
  EXPECT_EQ(n.replicas, 5u);
  EXPECT_EQ(n.reason, "ScaleDownLimit");
}

}  // namespace
}  // namespace flotilla::autoscale
