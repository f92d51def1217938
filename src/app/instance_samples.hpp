// The supervisor's instance statuses as observe's plain InstanceSample rows, so that observe/
// never includes supervisor/. Conversion only; the families themselves are observe's.
#pragma once

#include <span>
#include <vector>

#include "observe/instance_metrics.hpp"
#include "observe/sample.hpp"
#include "supervisor/instance_status.hpp"

namespace flotilla::app {

std::vector<observe::InstanceSample> instance_samples(
    std::span<const supervisor::InstanceStatus> instances);

// observe::append_instance_metrics over every supervisor state name.
void append_instance_metrics(observe::MetricsView& view,
                             std::span<const supervisor::InstanceStatus> instances);

}  // namespace flotilla::app
