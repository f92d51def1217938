// One service's decisions: the largest metric proposal wins, behavior applies, nothing moves
// during a rollout, a count outside [min, max] is brought back first, and missing readings
// never shrink the service.
#include "autoscale/autoscaler.hpp"

#include <gtest/gtest.h>

namespace flotilla::autoscale {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kT0 = Clock::time_point{} + 1000h;
const auto kWall = std::chrono::system_clock::time_point{} + 1000h;

MetricSamples metric(std::string name, double target, std::vector<double> values,
                     bool utilization = true) {
  MetricSamples m{std::move(name), {target, utilization}, {}};
  for (const double v : values) m.samples.push_back({SampleGroup::ready, v});
  return m;
}

config::Autoscale two_to_ten() {
  config::Autoscale a;
  a.min = 2;
  a.max = 10;
  a.cpu_percent = 50;
  a.rps_per_instance = 10;
  return a;
}

TEST(ServiceAutoscaler, TheLargestProposalWins) {
  ServiceAutoscaler scaler;
  const config::Autoscale a = two_to_ten();
  // cpu 60% of 50% → 3; rps 25 of 10 → 5.
  const Decision d = scaler.evaluate(
      kT0, kWall, 2, false, {metric("cpu", 50, {60, 60}), metric("rps", 10, {25, 25}, false)}, a);
  EXPECT_EQ(d.recommendation, 5u);
  EXPECT_EQ(d.desired, 5u);
  EXPECT_TRUE(d.changes());
  EXPECT_EQ(d.condition, "DesiredWithinRange");
  ASSERT_EQ(d.metrics.size(), 2u);
  EXPECT_EQ(d.metrics[0].proposal, 3u);
  EXPECT_EQ(d.metrics[1].proposal, 5u);
  EXPECT_DOUBLE_EQ(*d.metrics[1].value, 25);
  EXPECT_EQ(d.reason, "cpu 60% (target 50%), rps 25.0/s (target 10.0/s): recommend 5, scale 2 → 5");
  scaler.applied(kT0, d, a);
  ASSERT_EQ(scaler.changes().size(), 1u);
}

TEST(ServiceAutoscaler, NothingMovesDuringARollout) {
  ServiceAutoscaler scaler;
  const Decision d =
      scaler.evaluate(kT0, kWall, 2, true, {metric("cpu", 50, {100, 100})}, two_to_ten());
  EXPECT_FALSE(d.changes());
  EXPECT_EQ(d.condition, "RolloutInProgress");
  EXPECT_EQ(d.metrics[0].proposal, 4u);  // still shown
}

TEST(ServiceAutoscaler, OutsideTheBoundsComesBackFirst) {
  ServiceAutoscaler scaler;
  Decision d = scaler.evaluate(kT0, kWall, 12, false, {metric("cpu", 50, {100})}, two_to_ten());
  EXPECT_EQ(d.desired, 10u);
  EXPECT_EQ(d.condition, "AboveMax");
  d = scaler.evaluate(kT0, kWall, 1, false, {metric("cpu", 50, {1})}, two_to_ten());
  EXPECT_EQ(d.desired, 2u);
  EXPECT_EQ(d.condition, "BelowMin");
}

TEST(ServiceAutoscaler, MissingReadingsNeverShrinkTheService) {
  ServiceAutoscaler scaler;
  config::Autoscale a = two_to_ten();
  a.scale_down.stabilization = 0s;
  MetricSamples rps{"rps", {10, false}, {{SampleGroup::missing, 0}, {SampleGroup::missing, 0}}};
  // cpu alone would go down to 2, but rps has no reading: keep.
  Decision d = scaler.evaluate(kT0, kWall, 4, false, {metric("cpu", 50, {5, 5, 5, 5}), rps}, a);
  EXPECT_FALSE(d.changes());
  EXPECT_EQ(d.condition, "InvalidMetrics");
  // Growing on the metrics that have readings is fine.
  d = scaler.evaluate(kT0, kWall, 4, false, {metric("cpu", 50, {100, 100, 100, 100}), rps}, a);
  EXPECT_EQ(d.desired, 8u);
  // No metric at all: nothing.
  d = scaler.evaluate(kT0, kWall, 4, false, {rps}, a);
  EXPECT_FALSE(d.changes());
  EXPECT_EQ(d.reason, "rps no reading (target 10.0/s): keep 4 (no reading to scale on yet)");
}

TEST(ServiceAutoscaler, ScaleDownWaitsForTheWindowFromTheFirstEvaluation) {
  ServiceAutoscaler scaler;
  const config::Autoscale a = two_to_ten();  // default 5-minute scale-down window
  Decision d = scaler.evaluate(kT0, kWall, 6, false, {metric("cpu", 50, {5, 5, 5, 5, 5, 5})}, a);
  EXPECT_FALSE(d.changes());
  EXPECT_EQ(d.recommendation, 1u);
  EXPECT_EQ(d.condition, "ScaleDownStabilized");
  d = scaler.evaluate(kT0 + 301s, kWall, 6, false, {metric("cpu", 50, {5, 5, 5, 5, 5, 5})}, a);
  EXPECT_EQ(d.desired, 2u);  // min
  EXPECT_EQ(d.condition, "TooFewReplicas");
}

}  // namespace
}  // namespace flotilla::autoscale
