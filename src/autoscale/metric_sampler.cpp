// The autoscaler's readings, grouped the way the HPA groups pods (groupPods): gone or failing
// instances are ignored, starting ones are unready for every metric, and for CPU an instance
// counts only once a whole window of its readings was taken while it was ready.
#include "autoscale/metric_sampler.hpp"

namespace flotilla::autoscale {
namespace {

using supervisor::InstanceState;

enum class Presence { counted, starting, gone };

Presence presence(const supervisor::InstanceStatus& instance) {
  switch (instance.state) {
    case InstanceState::starting:
      return Presence::starting;
    case InstanceState::running:
    case InstanceState::ready:
      return Presence::counted;
    case InstanceState::stopping:
    case InstanceState::backoff:
    case InstanceState::crash_loop:
    case InstanceState::exited:
    case InstanceState::stopped:
    case InstanceState::drained:
      break;
  }
  return Presence::gone;
}

InstanceSample of(SampleGroup group, double value = 0) {
  return InstanceSample{group, value};
}

}  // namespace

std::vector<MetricSamples> MetricSampler::sample(
    Clock::time_point now, const config::Service& service,
    std::span<const supervisor::InstanceStatus> instances,
    const std::map<std::string, TrafficReading>& traffic) {
  std::vector<MetricSamples> out;
  if (!service.autoscale) return out;
  const config::Autoscale& settings = *service.autoscale;
  MetricSamples cpu{"cpu", {settings.cpu_percent.value_or(0), true}, {}};
  MetricSamples memory{"memory", {settings.memory_percent.value_or(0), true}, {}};
  MetricSamples rps{"rps", {settings.rps_per_instance.value_or(0), false}, {}};
  MetricSamples inflight{"inflight", {settings.inflight_per_instance.value_or(0), false}, {}};
  const double cores = service.resources.cpu_millis ? *service.resources.cpu_millis / 1000.0 : 1.0;
  const auto memory_limit = service.resources.memory_bytes;

  std::map<std::string, Previous> next;
  for (const supervisor::InstanceStatus& instance : instances) {
    const Presence p = presence(instance);
    if (p == Presence::gone) {
      for (MetricSamples* m : {&cpu, &memory, &rps, &inflight}) {
        m->samples.push_back(of(SampleGroup::ignored));
      }
      continue;
    }
    const auto it = traffic.find(instance.key);
    const TrafficReading* seen = it != traffic.end() ? &it->second : nullptr;
    Previous& now_reading = next[instance.key];
    now_reading = {now, instance.pid, instance.ready, instance.cpu_seconds,
                   seen != nullptr ? std::optional(seen->requests) : std::nullopt};
    if (p == Presence::starting) {
      for (MetricSamples* m : {&cpu, &memory, &rps, &inflight}) {
        m->samples.push_back(of(SampleGroup::unready));
      }
      continue;
    }
    const auto before = previous_.find(instance.key);
    const bool same_run = before != previous_.end() && before->second.pid == instance.pid &&
                          instance.pid != 0 && now > before->second.at;
    const double window =
        same_run ? std::chrono::duration<double>(now - before->second.at).count() : 0;

    // CPU: a rate over a window spent entirely in rotation.
    if (!instance.ready || !same_run || !before->second.ready) {
      cpu.samples.push_back(of(SampleGroup::unready));
    } else {
      const double used = std::max(0.0, instance.cpu_seconds - before->second.cpu_seconds);
      cpu.samples.push_back(of(SampleGroup::ready, used / window / cores * 100.0));
    }
    // Memory: the usage now, against the limit.
    if (memory_limit && *memory_limit > 0) {
      memory.samples.push_back(of(
          SampleGroup::ready,
          static_cast<double>(instance.memory_bytes) / static_cast<double>(*memory_limit) * 100.0));
    } else {
      memory.samples.push_back(of(SampleGroup::missing));
    }
    // Requests: a rate of the gateway's counter, and the gauge of those in flight.
    if (seen != nullptr && same_run && before->second.requests &&
        seen->requests >= *before->second.requests) {
      rps.samples.push_back(
          of(SampleGroup::ready,
             static_cast<double>(seen->requests - *before->second.requests) / window));
    } else {
      rps.samples.push_back(of(SampleGroup::missing));
    }
    inflight.samples.push_back(seen != nullptr ? of(SampleGroup::ready, seen->in_flight)
                                               : of(SampleGroup::missing));
  }
  previous_ = std::move(next);

  if (settings.cpu_percent) out.push_back(std::move(cpu));
  if (settings.memory_percent) out.push_back(std::move(memory));
  if (settings.rps_per_instance) out.push_back(std::move(rps));
  if (settings.inflight_per_instance) out.push_back(std::move(inflight));
  return out;
}

}  // namespace flotilla::autoscale
