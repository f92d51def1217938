// services.NAME.autoscale: every key with the HPA's defaults, `behavior` as Kubernetes writes
// it, and each mistake reported at its line and column.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using namespace std::chrono_literals;
using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

TEST(ParseAutoscale, DefaultsAreTheHpas) {
  const Spec spec = load_ok("services:\n  web:\n    command: ./w\n    autoscale: { max: 4 }\n");
  ASSERT_EQ(spec.services.size(), 1u);
  const Autoscale& a = *spec.services[0].autoscale;
  EXPECT_EQ(a.min, 1u);
  EXPECT_EQ(a.cpu_percent, 80.0);
  EXPECT_FALSE(a.rps_per_instance);
  EXPECT_EQ(a.sync_period, Duration{15s});
  EXPECT_EQ(a.scale_up, default_scale_up());
  EXPECT_EQ(a.scale_down, default_scale_down());
  EXPECT_EQ(a.scale_down.stabilization, Duration{300s});
  ASSERT_EQ(a.scale_up.policies.size(), 2u);
  EXPECT_EQ(a.scale_up.policies[0].value, 4u);
  EXPECT_EQ(a.scale_up.policies[1].type, ScalingPolicyType::percent);
}

TEST(ParseAutoscale, ReadsEveryKey) {
  const Spec spec = load_ok(R"(
services:
  web:
    command: ./w
    ports: 8000-8020
    resources: { cpu: 500m, memory: 256Mi }
    autoscale:
      min: 2
      max: 10
      cpu: 70%
      memory: 80%
      rps_per_instance: 50
      inflight_per_instance: 2.5
      sync_period: 500ms
      behavior:
        scale_up:
          stabilization: 10s
          select: min
          policies: [{ type: pods, value: 2, period: 20s }, { type: percent, value: 50 }]
        scale_down:
          stabilization: 0s
          select: disabled
)");
  ASSERT_EQ(spec.services.size(), 1u);
  const Service& s = spec.services[0];
  EXPECT_EQ(s.replicas, 2u);
  const Autoscale& a = *s.autoscale;
  EXPECT_EQ(a.max, 10u);
  EXPECT_EQ(a.cpu_percent, 70.0);
  EXPECT_EQ(a.memory_percent, 80.0);
  EXPECT_EQ(a.rps_per_instance, 50.0);
  EXPECT_EQ(a.inflight_per_instance, 2.5);
  EXPECT_EQ(a.sync_period, Duration{500ms});
  EXPECT_EQ(a.scale_up.stabilization, Duration{10s});
  EXPECT_EQ(a.scale_up.select, SelectPolicy::min);
  const std::vector<ScalingPolicy> up{{ScalingPolicyType::pods, 2, Duration{20s}},
                                      {ScalingPolicyType::percent, 50, Duration{15s}}};
  EXPECT_EQ(a.scale_up.policies, up);
  EXPECT_EQ(a.scale_down.stabilization, Duration{0s});
  EXPECT_EQ(a.scale_down.select, SelectPolicy::disabled);
  EXPECT_EQ(a.scale_down.policies, default_scale_down().policies);  // not given: kept
}

TEST(ParseAutoscale, AnAverageValueTargetAloneNeedsNoCpu) {
  const Spec spec = load_ok(
      "services:\n  web:\n    command: ./w\n    ports: 8000-8009\n"
      "    autoscale: { max: 4, rps_per_instance: 20 }\n");
  ASSERT_EQ(spec.services.size(), 1u);
  EXPECT_FALSE(spec.services[0].autoscale->cpu_percent);
}

TEST(ParseAutoscale, ReportsEachMistakeAtItsPosition) {
  EXPECT_EQ(errors_of(R"(services:
  web:
    command: ./w
    ports: 8000-8099
    autoscale:
      max: 5
      cpu: 0%
      memory: 80%
      rps_per_instance: -3
      inflight_per_instance: lots
      sync_period: 0s
      behaviour: {}
      behavior:
        scale_up:
          stabilization: 2h
          select: biggest
          policies: [{ type: pod, value: 0, period: 31m }, { value: 1 }]
        scale_down:
          policies: []
  worker:
    command: ./q
    autoscale: { max: 3, rps_per_instance: 5 }
)"),
            (Lines{
                "7:12: services.web.autoscale.cpu: a target must be above 0%",
                "8:15: services.web.autoscale.memory: needs resources.memory (the target is a "
                "percentage of the memory limit)",
                "9:25: services.web.autoscale.rps_per_instance: expected a positive number, got "
                "'-3'",
                "10:30: services.web.autoscale.inflight_per_instance: expected a positive "
                "number, got 'lots'",
                "11:20: services.web.autoscale.sync_period: must be greater than 0",
                "12:7: unknown key 'behaviour' in services.web.autoscale (did you mean "
                "'behavior'?)",
                "15:26: services.web.autoscale.behavior.scale_up.stabilization: must be at most "
                "1h",
                "16:19: services.web.autoscale.behavior.scale_up.select: expected one of max, "
                "min, disabled, got 'biggest'",
                "17:30: services.web.autoscale.behavior.scale_up.policies[0].type: expected one "
                "of pods, percent, got 'pod' (did you mean 'pods'?)",
                "17:42: services.web.autoscale.behavior.scale_up.policies[0].value: must be "
                "between 1 and 100000, got 0",
                "17:53: services.web.autoscale.behavior.scale_up.policies[0].period: must be at "
                "most 30m",
                "17:60: missing required key 'type' in "
                "services.web.autoscale.behavior.scale_up.policies[1]",
                "19:21: services.web.autoscale.behavior.scale_down.policies: at least one policy "
                "is needed (or select: disabled)",
                "22:44: services.worker.autoscale.rps_per_instance: a service without ports "
                "receives no requests to count",
            }));
}

}  // namespace
}  // namespace flotilla::config
