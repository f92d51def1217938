#include "observe/instance_metrics.hpp"

namespace flotilla::observe {
namespace {

// `replica`, not `instance`: Prometheus gives every scraped series an `instance` label (the
// target's address), and a clash would rename ours to `exported_instance` in users' queries.
Labels instance_labels(const InstanceSample& instance) {
  return {{"replica", instance.replica}, {"service", instance.service}};
}

}  // namespace

void append_instance_metrics(MetricsView& view, std::span<const InstanceSample> instances,
                             std::span<const std::string_view> states) {
  MetricFamily restarts =
      family("flotilla_instance_restarts_total", "Times the supervisor restarted the instance.",
             MetricType::counter);
  MetricFamily state =
      family("flotilla_instance_state",
             "1 for the instance's current lifecycle state, 0 for the others.", MetricType::gauge);
  MetricFamily up =
      family("flotilla_instance_up", "1 when the instance is ready and in rotation, else 0.",
             MetricType::gauge);
  MetricFamily cpu = family("flotilla_instance_cpu_seconds_total",
                            "CPU time used by the instance's current run (resets on restart).",
                            MetricType::counter);
  MetricFamily memory =
      family("flotilla_instance_memory_bytes",
             "Memory used by the instance (cgroup usage, or RSS).", MetricType::gauge);
  MetricFamily limit =
      family("flotilla_instance_memory_limit_bytes",
             "Memory limit of the instance, when one is enforced.", MetricType::gauge);
  for (const InstanceSample& instance : instances) {
    const Labels labels = instance_labels(instance);
    restarts.samples.push_back({restarts.name, labels, static_cast<double>(instance.restarts)});
    for (const std::string_view s : states) {
      Labels with_state = labels;
      with_state.emplace_back("state", std::string(s));
      state.samples.push_back({state.name, std::move(with_state), s == instance.state ? 1.0 : 0.0});
    }
    up.samples.push_back({up.name, labels, instance.up ? 1.0 : 0.0});
    cpu.samples.push_back({cpu.name, labels, instance.cpu_seconds});
    memory.samples.push_back({memory.name, labels, static_cast<double>(instance.memory_bytes)});
    if (instance.memory_limit_bytes) {
      limit.samples.push_back(
          {limit.name, labels, static_cast<double>(*instance.memory_limit_bytes)});
    }
  }
  for (MetricFamily* f : {&restarts, &state, &up, &cpu, &memory, &limit}) {
    view.push_back(std::move(*f));
  }
}

}  // namespace flotilla::observe
