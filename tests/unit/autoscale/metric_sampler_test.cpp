// Readings → samples: CPU as a rate over a window spent in rotation (percent of the limit, or
// of one core), memory against the limit, requests per second from the gateway's counter, the
// in-flight gauge, and the HPA's grouping of starting, unready and gone instances.
#include "autoscale/metric_sampler.hpp"

#include <gtest/gtest.h>

namespace flotilla::autoscale {
namespace {

using namespace std::chrono_literals;
using supervisor::InstanceState;
using supervisor::InstanceStatus;

const Clock::time_point kSamplerT0 = Clock::time_point{} + 1000h;

config::Service web() {
  config::Service s;
  s.name = "web";
  s.resources.cpu_millis = 500;
  s.resources.memory_bytes = 1000;
  config::Autoscale a;
  a.min = 1;
  a.max = 5;
  a.cpu_percent = 50;
  a.memory_percent = 80;
  a.rps_per_instance = 10;
  a.inflight_per_instance = 4;
  s.autoscale = a;
  return s;
}

InstanceStatus instance(std::uint32_t index, InstanceState state, int pid, double cpu,
                        std::uint64_t memory) {
  InstanceStatus i;
  i.service = "web";
  i.index = index;
  i.key = "web/" + std::to_string(index);
  i.state = state;
  i.ready = state == InstanceState::ready;
  i.pid = pid;
  i.cpu_seconds = cpu;
  i.memory_bytes = memory;
  return i;
}

const MetricSamples& find(const std::vector<MetricSamples>& all, const std::string& name) {
  for (const MetricSamples& m : all) {
    if (m.name == name) return m;
  }
  throw std::runtime_error("no metric " + name);
}

TEST(MetricSampler, RatesOverTheWindowAndGauges) {
  MetricSampler sampler;
  const config::Service s = web();
  std::vector<InstanceStatus> first{instance(0, InstanceState::ready, 100, 1.0, 500)};
  std::map<std::string, TrafficReading> traffic{{"web/0", {1000, 3}}};
  auto samples = sampler.sample(kSamplerT0, s, first, traffic);
  ASSERT_EQ(samples.size(), 4u);
  // The first round has no window yet: CPU unready, rps missing; gauges are there.
  EXPECT_EQ(find(samples, "cpu").samples[0].group, SampleGroup::unready);
  EXPECT_EQ(find(samples, "rps").samples[0].group, SampleGroup::missing);
  EXPECT_DOUBLE_EQ(find(samples, "memory").samples[0].value, 50.0);
  EXPECT_DOUBLE_EQ(find(samples, "inflight").samples[0].value, 3.0);

  // 2 s later: 0.5 CPU-seconds used = 0.25 cores = 50% of 500m; 60 requests = 30/s.
  std::vector<InstanceStatus> second{instance(0, InstanceState::ready, 100, 1.5, 900)};
  traffic["web/0"] = {1060, 1};
  samples = sampler.sample(kSamplerT0 + 2s, s, second, traffic);
  EXPECT_EQ(find(samples, "cpu").samples[0].group, SampleGroup::ready);
  EXPECT_NEAR(find(samples, "cpu").samples[0].value, 50.0, 1e-9);
  EXPECT_NEAR(find(samples, "rps").samples[0].value, 30.0, 1e-9);
  EXPECT_DOUBLE_EQ(find(samples, "memory").samples[0].value, 90.0);
  EXPECT_DOUBLE_EQ(find(samples, "inflight").samples[0].value, 1.0);
  EXPECT_EQ(find(samples, "cpu").target.target, 50.0);
  EXPECT_TRUE(find(samples, "cpu").target.utilization);
  EXPECT_FALSE(find(samples, "rps").target.utilization);
}

TEST(MetricSampler, WithoutACpuLimitOneCoreIsTheRequest) {
  MetricSampler sampler;
  config::Service s = web();
  s.resources.cpu_millis.reset();
  std::vector<InstanceStatus> one{instance(0, InstanceState::ready, 7, 10.0, 0)};
  sampler.sample(kSamplerT0, s, one, {});
  one[0].cpu_seconds = 12.0;  // 2 s of CPU in 4 s = half a core
  const auto samples = sampler.sample(kSamplerT0 + 4s, s, one, {});
  EXPECT_NEAR(find(samples, "cpu").samples[0].value, 50.0, 1e-9);
}

TEST(MetricSampler, GroupsInstancesAsTheHpaGroupsPods) {
  MetricSampler sampler;
  const config::Service s = web();
  std::vector<InstanceStatus> list{
      instance(0, InstanceState::ready, 1, 1, 100),
      instance(1, InstanceState::starting, 2, 0, 0),
      instance(2, InstanceState::running, 3, 1, 100),
      instance(3, InstanceState::stopping, 4, 1, 1),
      instance(4, InstanceState::crash_loop, 0, 0, 0),
      instance(5, InstanceState::drained, 6, 1, 1),
      instance(6, InstanceState::ready, 7, 1, 100),
  };
  std::map<std::string, TrafficReading> traffic{{"web/0", {10, 0}}, {"web/6", {10, 0}}};
  sampler.sample(kSamplerT0, s, list, traffic);
  list[0].cpu_seconds = 2;
  list[6].pid = 70;  // restarted since the last round: no window for it yet
  const auto samples = sampler.sample(kSamplerT0 + 1s, s, list, traffic);
  const auto& cpu = find(samples, "cpu").samples;
  const std::vector<SampleGroup> expected_cpu{
      SampleGroup::ready,   SampleGroup::unready, SampleGroup::unready, SampleGroup::ignored,
      SampleGroup::ignored, SampleGroup::ignored, SampleGroup::unready};
  ASSERT_EQ(cpu.size(), expected_cpu.size());
  for (std::size_t i = 0; i < cpu.size(); ++i) EXPECT_EQ(cpu[i].group, expected_cpu[i]) << i;
  EXPECT_NEAR(cpu[0].value, 200.0, 1e-9);  // 1 CPU-second in 1 s = 1 core = 200% of 500m
  // Running but not ready: counted for memory, missing for requests (not in rotation).
  EXPECT_EQ(find(samples, "memory").samples[2].group, SampleGroup::ready);
  EXPECT_EQ(find(samples, "rps").samples[2].group, SampleGroup::missing);
  EXPECT_EQ(find(samples, "inflight").samples[2].group, SampleGroup::missing);
  EXPECT_EQ(find(samples, "rps").samples[0].group, SampleGroup::ready);
  EXPECT_EQ(find(samples, "rps").samples[6].group, SampleGroup::missing);  // new run
}

TEST(MetricSampler, OnlyConfiguredMetrics) {
  MetricSampler sampler;
  config::Service s = web();
  s.autoscale->memory_percent.reset();
  s.autoscale->inflight_per_instance.reset();
  const auto samples = sampler.sample(kSamplerT0, s, {}, {});
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].name, "cpu");
  EXPECT_EQ(samples[1].name, "rps");
}

}  // namespace
}  // namespace flotilla::autoscale
