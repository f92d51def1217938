// The supervisor's statuses become observe's plain samples field by field, and the state family
// lists every supervisor state.
#include "app/instance_samples.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace flotilla::app {
namespace {

TEST(InstanceSamples, CopiesWhatMetricsNeed) {
  std::vector<supervisor::InstanceStatus> statuses(1);
  statuses[0].service = "web";
  statuses[0].key = "web/2";
  statuses[0].state = supervisor::InstanceState::crash_loop;
  statuses[0].ready = false;
  statuses[0].restarts = 4;
  statuses[0].cpu_seconds = 1.5;
  statuses[0].memory_bytes = 10;
  statuses[0].memory_limit_bytes = 20;
  const std::vector<observe::InstanceSample> samples = instance_samples(statuses);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].service, "web");
  EXPECT_EQ(samples[0].replica, "web/2");
  EXPECT_EQ(samples[0].state, "crash_loop");
  EXPECT_FALSE(samples[0].up);
  EXPECT_EQ(samples[0].restarts, 4u);
  EXPECT_EQ(samples[0].cpu_seconds, 1.5);
  EXPECT_EQ(samples[0].memory_bytes, 10u);
  EXPECT_EQ(samples[0].memory_limit_bytes, 20u);
}

TEST(InstanceSamples, TheStateFamilyHasEverySupervisorState) {
  std::vector<supervisor::InstanceStatus> statuses(1);
  statuses[0].key = "web/0";
  statuses[0].state = supervisor::InstanceState::drained;
  observe::MetricsView view;
  append_instance_metrics(view, statuses);
  const auto state = std::find_if(view.begin(), view.end(), [](const observe::MetricFamily& f) {
    return f.name == "flotilla_instance_state";
  });
  ASSERT_NE(state, view.end());
  ASSERT_EQ(state->samples.size(), supervisor::kInstanceStates.size());
  for (const supervisor::InstanceState s : supervisor::kInstanceStates) {
    const std::string name(supervisor::to_string(s));
    const auto sample =
        std::find_if(state->samples.begin(), state->samples.end(),
                     [&](const observe::Sample& x) { return x.labels.back().second == name; });
    ASSERT_NE(sample, state->samples.end()) << name;
    EXPECT_EQ(sample->value, s == supervisor::InstanceState::drained ? 1.0 : 0.0) << name;
  }
}

}  // namespace
}  // namespace flotilla::app
