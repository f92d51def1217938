// The app's instances as Prometheus families: restarts, state, up, CPU seconds, memory and
// memory limit per instance, from plain samples the caller fills (app converts the supervisor's
// statuses). Data in, view out; knows nothing of the supervisor.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "observe/sample.hpp"

namespace flotilla::observe {

// One instance as its metrics see it.
struct InstanceSample {
  std::string service;
  std::string replica;  // the instance's key, "web/2"
  std::string state;    // its lifecycle state, one of the `states` given alongside
  bool up = false;      // ready and in rotation
  std::uint32_t restarts = 0;
  double cpu_seconds = 0;  // of the current run
  std::uint64_t memory_bytes = 0;
  std::optional<std::uint64_t> memory_limit_bytes;  // none when no limit is enforced
};

// Appends the flotilla_instance_* families to `view`, labelled {service, replica}.
// `flotilla_instance_state` has one series per instance and name in `states` (1 for the
// instance's state, 0 for the others). Families are appended even when `instances` is empty,
// so a dashboard finds them before the first instance starts.
void append_instance_metrics(MetricsView& view, std::span<const InstanceSample> instances,
                             std::span<const std::string_view> states);

}  // namespace flotilla::observe
