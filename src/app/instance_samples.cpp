#include "app/instance_samples.hpp"

#include <array>
#include <string_view>

namespace flotilla::app {
namespace {

std::array<std::string_view, supervisor::kInstanceStates.size()> state_names() {
  std::array<std::string_view, supervisor::kInstanceStates.size()> names{};
  for (std::size_t i = 0; i < names.size(); ++i) {
    names[i] = supervisor::to_string(supervisor::kInstanceStates[i]);
  }
  return names;
}

}  // namespace

std::vector<observe::InstanceSample> instance_samples(
    std::span<const supervisor::InstanceStatus> instances) {
  std::vector<observe::InstanceSample> out;
  out.reserve(instances.size());
  for (const supervisor::InstanceStatus& instance : instances) {
    observe::InstanceSample sample;
    sample.service = instance.service;
    sample.replica = instance.key;
    sample.state = std::string(supervisor::to_string(instance.state));
    sample.up = instance.ready;
    sample.restarts = instance.restarts;
    sample.cpu_seconds = instance.cpu_seconds;
    sample.memory_bytes = instance.memory_bytes;
    sample.memory_limit_bytes = instance.memory_limit_bytes;
    out.push_back(std::move(sample));
  }
  return out;
}

void append_instance_metrics(observe::MetricsView& view,
                             std::span<const supervisor::InstanceStatus> instances) {
  static const auto kNames = state_names();
  observe::append_instance_metrics(view, instance_samples(instances), kNames);
}

}  // namespace flotilla::app
