// The HPA replica calculator as tables: the Kubernetes documentation's worked examples (the
// doubling and halving of "200m of 100m", the tolerance, the php-apache walkthrough's 305% of
// 50%) and cases of kubernetes' replica_calculator_test.go (unready pods, missing metrics,
// a direction that turns around).
#include "autoscale/replica_calculator.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace flotilla::autoscale {
namespace {

InstanceSample ready(double value) {
  return {SampleGroup::ready, value};
}
const InstanceSample kUnready{SampleGroup::unready, 0};
const InstanceSample kMissing{SampleGroup::missing, 0};
const InstanceSample kIgnored{SampleGroup::ignored, 0};

struct Case {
  const char* name;
  std::uint32_t current;
  std::vector<InstanceSample> samples;
  MetricTarget target;
  std::uint32_t expected;
  double average;
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }
};

class ReplicaCalculator : public ::testing::TestWithParam<Case> {};

TEST_P(ReplicaCalculator, ProposesAsTheHpaDoes) {
  const Case& c = GetParam();
  const auto proposal = propose_replicas(c.current, c.samples, c.target);
  ASSERT_TRUE(proposal) << c.name;
  EXPECT_EQ(proposal->replicas, c.expected) << c.name;
  EXPECT_NEAR(proposal->average, c.average, 1e-9) << c.name;
}

constexpr MetricTarget kValue100{100, false};
constexpr MetricTarget kCpu50{50, true};

INSTANTIATE_TEST_SUITE_P(
    Tables, ReplicaCalculator,
    ::testing::Values(
        // docs: "if the current metric value is 200m and the desired value is 100m, the number
        // of replicas will be doubled"
        Case{"doubled", 1, {ready(200)}, kValue100, 2, 200},
        Case{"doubled_three", 3, {ready(200), ready(200), ready(200)}, kValue100, 6, 200},
        // docs: "if the current value is instead 50m, you'll halve the number of replicas"
        Case{"halved", 4, {ready(50), ready(50), ready(50), ready(50)}, kValue100, 2, 50},
        // docs: no scaling when the ratio is within the tolerance (0.1)
        Case{"within_tolerance", 3, {ready(105), ready(110), ready(100)}, kValue100, 3, 105},
        Case{"just_past_tolerance", 3, {ready(111), ready(111), ready(111)}, kValue100, 4, 111},
        Case{"below_within_tolerance", 3, {ready(91), ready(90), ready(92)}, kValue100, 3, 91},
        // docs, HPA walkthrough: one php-apache pod at 305% of its request, target 50% → 7
        Case{"walkthrough_305_of_50", 1, {ready(305)}, kCpu50, 7, 305},
        // replica_calculator_test.go TestReplicaCalcScaleUp: [300,500,700]m of 1000m, 30%
        Case{"scale_up", 3, {ready(30), ready(50), ready(70)}, MetricTarget{30, true}, 5, 50},
        // TestReplicaCalcScaleUpUnreadyLessScale: one unready pod counts as 0% on a scale-up
        Case{"unready_less_scale",
             3,
             {kUnready, ready(50), ready(70)},
             MetricTarget{30, true},
             4,
             60},
        // TestReplicaCalcScaleUpUnreadyNoScale: ratio 1 with unready pods changes nothing
        Case{"unready_no_scale", 3, {ready(40), kUnready, kUnready}, MetricTarget{40, true}, 3, 40},
        // TestReplicaCalcScaleDown: [100,300,500,250,250]m of 1000m, 50% → 28% → 3
        Case{"scale_down",
             5,
             {ready(10), ready(30), ready(50), ready(25), ready(25)},
             kCpu50,
             3,
             28},
        // Missing readings on a scale-down: 100% of the request (utilisation)...
        Case{"missing_down_utilization", 3, {ready(20), ready(20), kMissing}, kCpu50, 3, 20},
        // ...or the target (average values): (2 + 2 + 10) / 3 of 10 → ceil(1.4) = 2
        Case{
            "missing_down_value", 3, {ready(2), ready(2), kMissing}, MetricTarget{10, false}, 2, 2},
        // Missing readings on a scale-up count as 0: (90 + 90 + 0) / 3 of 50 → ceil(3.6) = 4
        Case{"missing_up", 3, {ready(90), ready(90), kMissing}, kCpu50, 4, 90},
        // Unready pods at 0 turn a scale-up into a scale-down: nothing changes
        Case{"direction_turns", 3, {ready(60), kUnready, kUnready}, kCpu50, 3, 60},
        // Ignored (stopping, failed) instances take no part at all
        Case{"ignored", 2, {ready(100), kIgnored, ready(100)}, kCpu50, 4, 100},
        // Rounded up, never down: 3 × 56 / 50 → 3.36 → 4
        Case{"rounded_up", 3, {ready(56), ready(56), ready(56)}, kCpu50, 4, 56},
        // Exactly on the ratio: 2 × 75 / 50 = 3, no rounding error to 4
        Case{"exact", 2, {ready(75), ready(75)}, kCpu50, 3, 75}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ReplicaCalculatorEdges, NoReadingIsNoProposal) {
  EXPECT_FALSE(propose_replicas(3, std::vector<InstanceSample>{}, kCpu50));
  EXPECT_FALSE(
      propose_replicas(3, std::vector<InstanceSample>{kMissing, kUnready, kIgnored}, kCpu50));
}

TEST(ReplicaCalculatorEdges, ToleranceIsAParameter) {
  const std::vector<InstanceSample> samples{ready(105), ready(105)};
  EXPECT_EQ(propose_replicas(2, samples, kValue100, 0.01)->replicas, 3u);
  EXPECT_EQ(propose_replicas(2, samples, kValue100)->replicas, 2u);
}

}  // namespace
}  // namespace flotilla::autoscale
