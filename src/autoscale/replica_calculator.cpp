// The HPA replica calculator (kubernetes pkg/controller/podautoscaler/replica_calculator.go,
// calcPlainMetricReplicas / GetResourceReplicas), one metric at a time.
#include "autoscale/replica_calculator.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace flotilla::autoscale {
namespace {

double average(const std::vector<double>& values) {
  double sum = 0;
  for (const double v : values) sum += v;
  return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

std::uint32_t ceil_count(double value) {
  return static_cast<std::uint32_t>(std::ceil(value - 1e-9));
}

}  // namespace

std::optional<Proposal> propose_replicas(std::uint32_t current,
                                         std::span<const InstanceSample> samples,
                                         const MetricTarget& target, double tolerance) {
  std::vector<double> readings;  // the ready instances' values
  std::uint32_t unready = 0;
  std::uint32_t missing = 0;
  for (const InstanceSample& sample : samples) {
    switch (sample.group) {
      case SampleGroup::ready:
        readings.push_back(sample.value);
        break;
      case SampleGroup::unready:
        ++unready;
        break;
      case SampleGroup::missing:
        ++missing;
        break;
      case SampleGroup::ignored:
        break;
    }
  }
  if (readings.empty() || !(target.target > 0)) return std::nullopt;
  Proposal proposal;
  proposal.average = average(readings);
  proposal.ready = static_cast<std::uint32_t>(readings.size());
  proposal.replicas = current;
  const double usage_ratio = proposal.average / target.target;

  const bool scale_up_with_unready = unready > 0 && usage_ratio > 1.0;
  if (!scale_up_with_unready && missing == 0) {
    if (std::abs(1.0 - usage_ratio) <= tolerance) return proposal;
    // Rounded up: anything above the target needs one more instance, not one fewer. (The
    // epsilon keeps a rounding error such as 2.0000000001 from becoming 3.)
    proposal.replicas = ceil_count(usage_ratio * static_cast<double>(readings.size()));
    return proposal;
  }

  // The second, conservative pass: on a scale-down an instance without a reading is assumed
  // at 100% of its request (or the target, for average values); on a scale-up at 0, as are
  // unready instances. A ratio that turns around, or lands within the tolerance, changes
  // nothing.
  std::vector<double> adjusted = readings;
  if (missing > 0 && usage_ratio < 1.0) {
    const double assumed = target.utilization ? std::max(100.0, target.target) : target.target;
    adjusted.insert(adjusted.end(), missing, assumed);
  } else if (missing > 0 && usage_ratio > 1.0) {
    adjusted.insert(adjusted.end(), missing, 0.0);
  }
  if (scale_up_with_unready) adjusted.insert(adjusted.end(), unready, 0.0);
  const double new_ratio = average(adjusted) / target.target;
  if (std::abs(1.0 - new_ratio) <= tolerance || (usage_ratio < 1.0 && new_ratio > 1.0) ||
      (usage_ratio > 1.0 && new_ratio < 1.0)) {
    return proposal;
  }
  const std::uint32_t replicas = ceil_count(new_ratio * static_cast<double>(adjusted.size()));
  if ((new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current)) {
    return proposal;
  }
  proposal.replicas = replicas;
  return proposal;
}

}  // namespace flotilla::autoscale
