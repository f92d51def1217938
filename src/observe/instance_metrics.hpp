// The supervisor's instances as Prometheus families: restarts, state, up, CPU seconds, memory
// and memory limit per instance, from the statuses the caller supplies. Data in, view out.
#pragma once

#include <span>

#include "observe/sample.hpp"
#include "supervisor/instance_status.hpp"

namespace flotilla::observe {

// Appends the flotilla_instance_* families to `view`, labelled {service, instance} where
// `instance` is the instance's key ("web/2"). Families are appended even when `instances` is
// empty, so a dashboard finds them before the first instance starts.
void append_instance_metrics(MetricsView& view,
                             std::span<const supervisor::InstanceStatus> instances);

}  // namespace flotilla::observe
