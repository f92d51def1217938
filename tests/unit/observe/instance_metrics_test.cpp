#include "observe/instance_metrics.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace flotilla::observe {
namespace {

constexpr std::string_view kInstanceStatesList[] = {"starting", "running", "ready",
                                                    "stopping", "backoff", "crash_loop",
                                                    "exited",   "stopped", "drained"};
const std::span<const std::string_view> kInstanceStates(kInstanceStatesList);

const MetricFamily& instance_family(const MetricsView& view, std::string_view name) {
  const auto it =
      std::find_if(view.begin(), view.end(), [&](const MetricFamily& f) { return f.name == name; });
  if (it == view.end()) throw std::runtime_error("no family " + std::string(name));
  return *it;
}

TEST(InstanceMetrics, OneSeriesPerInstanceAndOneHotState) {
  std::vector<InstanceSample> instances(2);
  instances[0].service = "web";
  instances[0].replica = "web/1";
  instances[0].state = "ready";
  instances[0].up = true;
  instances[0].restarts = 3;
  instances[0].cpu_seconds = 0.5;
  instances[0].memory_bytes = 1000;
  instances[0].memory_limit_bytes = 4000;
  instances[1].service = "worker";
  instances[1].replica = "worker/1";
  instances[1].state = "drained";  // running, out of rotation
  MetricsView view;
  append_instance_metrics(view, instances, kInstanceStates);
  ASSERT_EQ(view.size(), 6u);

  const MetricFamily& restarts = instance_family(view, "flotilla_instance_restarts_total");
  EXPECT_EQ(restarts.type, MetricType::counter);
  ASSERT_EQ(restarts.samples.size(), 2u);
  EXPECT_EQ(restarts.samples[0].labels, (Labels{{"replica", "web/1"}, {"service", "web"}}));
  EXPECT_EQ(restarts.samples[0].value, 3);

  const MetricFamily& state = instance_family(view, "flotilla_instance_state");
  ASSERT_EQ(state.samples.size(), 18u);  // 9 states × 2 instances
  double web_sum = 0;
  double worker_sum = 0;
  for (const Sample& s : state.samples) {
    (s.labels[0].second == "web/1" ? web_sum : worker_sum) += s.value;
    if (s.labels[0].second == "web/1" && s.labels[2].second == "ready") {
      EXPECT_EQ(s.value, 1);
    }
    if (s.labels[0].second == "worker/1" && s.labels[2].second == "drained") {
      EXPECT_EQ(s.value, 1);
    }
  }
  EXPECT_EQ(web_sum, 1);
  EXPECT_EQ(worker_sum, 1);

  EXPECT_EQ(instance_family(view, "flotilla_instance_up").samples[0].value, 1);
  EXPECT_EQ(instance_family(view, "flotilla_instance_up").samples[1].value, 0);
  EXPECT_EQ(instance_family(view, "flotilla_instance_cpu_seconds_total").samples[0].value, 0.5);
  EXPECT_EQ(instance_family(view, "flotilla_instance_memory_bytes").samples[0].value, 1000);
  // No limit enforced on worker/1: no series rather than a made-up value.
  const MetricFamily& limit = instance_family(view, "flotilla_instance_memory_limit_bytes");
  ASSERT_EQ(limit.samples.size(), 1u);
  EXPECT_EQ(limit.samples[0].value, 4000);
}

TEST(InstanceMetrics, FamiliesExistWithoutInstances) {
  MetricsView view;
  append_instance_metrics(view, {}, kInstanceStates);
  EXPECT_EQ(view.size(), 6u);
  for (const MetricFamily& f : view) EXPECT_TRUE(f.samples.empty()) << f.name;
}

}  // namespace
}  // namespace flotilla::observe
