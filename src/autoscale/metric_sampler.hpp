// Turns what the supervisor and the gateway report about a service's instances into the
// autoscaler's per-metric samples: CPU as percent of resources.cpu (of one core without a
// limit) over the window since the last round, memory as percent of resources.memory,
// requests per second and requests in flight per instance. Keeps the previous round's
// counters; never reads anything itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "autoscale/autoscaler.hpp"
#include "config/spec.hpp"
#include "supervisor/instance_status.hpp"

namespace flotilla::autoscale {

// What the gateway says about one instance (summed over the upstreams that route to it).
struct TrafficReading {
  std::uint64_t requests = 0;  // attempts since start
  std::uint32_t in_flight = 0;
};

class MetricSampler {
 public:
  // `traffic` by instance key ("web/2"); instances out of rotation have no entry.
  std::vector<MetricSamples> sample(Clock::time_point now, const config::Service& service,
                                    std::span<const supervisor::InstanceStatus> instances,
                                    const std::map<std::string, TrafficReading>& traffic);

 private:
  struct Previous {
    Clock::time_point at;
    int pid = 0;
    bool ready = false;
    double cpu_seconds = 0;
    std::optional<std::uint64_t> requests;
  };
  std::map<std::string, Previous> previous_;
};

}  // namespace flotilla::autoscale
