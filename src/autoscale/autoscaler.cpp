// The HPA's reconcile step for one service (kubernetes horizontal.go reconcileAutoscaler and
// computeReplicasForMetrics), and the sentence that explains each decision.
#include "autoscale/autoscaler.hpp"

#include <fmt/format.h>

namespace flotilla::autoscale {
namespace {

std::string format_value(const std::string& metric, double value) {
  if (metric == "cpu" || metric == "memory") return fmt::format("{:.0f}%", value);
  if (metric == "rps") return fmt::format("{:.1f}/s", value);
  return fmt::format("{:.1f}", value);
}

std::string metrics_text(const Decision& d) {
  std::vector<std::string> parts;
  for (const MetricStatus& m : d.metrics) {
    const std::string target = format_value(m.name, m.target);
    parts.push_back(
        m.value ? fmt::format("{} {} (target {})", m.name, format_value(m.name, *m.value), target)
                : fmt::format("{} no reading (target {})", m.name, target));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string outcome_text(const Decision& d) {
  const std::string count = d.changes() ? fmt::format("scale {} → {}", d.current, d.desired)
                                        : fmt::format("keep {}", d.current);
  const auto held = [&](std::string_view why) { return fmt::format("{} ({})", count, why); };
  if (d.condition == "RolloutInProgress") return "keep (a rollout is running)";
  if (d.condition == "InvalidMetrics") {
    return fmt::format("keep {} (no reading to scale on yet)", d.current);
  }
  if (d.condition == "BelowMin") return held(fmt::format("below min {}", d.min));
  if (d.condition == "AboveMax") return held(fmt::format("above max {}", d.max));
  if (d.condition == "ScaleUpLimit") return held("limited by the scale_up policies");
  if (d.condition == "ScaleDownLimit") return held("limited by the scale_down policies");
  if (d.condition == "TooManyReplicas") return held(fmt::format("capped at max {}", d.max));
  if (d.condition == "TooFewReplicas") return held(fmt::format("kept at min {}", d.min));
  if (d.condition == "ScaleUpStabilized") return held("scale_up stabilization window");
  if (d.condition == "ScaleDownStabilized") {
    return held("scale_down stabilization window: a recent recommendation was higher");
  }
  if (!d.changes()) return held("within tolerance");
  return count;
}

}  // namespace

Decision ServiceAutoscaler::evaluate(Clock::time_point now,
                                     std::chrono::system_clock::time_point wall,
                                     std::uint32_t current, bool rollout_running,
                                     const std::vector<MetricSamples>& metrics,
                                     const config::Autoscale& settings) {
  Decision d;
  d.time = wall;
  d.current = current;
  d.desired = current;
  d.min = settings.min;
  d.max = settings.max;
  if (!behavior_.started()) behavior_.start(now, current, settings);

  // Every metric's proposal; the largest wins.
  std::optional<std::uint32_t> proposal;
  std::size_t invalid = 0;
  for (const MetricSamples& m : metrics) {
    MetricStatus status;
    status.name = m.name;
    status.target = m.target.target;
    if (const auto p = propose_replicas(current, m.samples, m.target)) {
      status.value = p->average;
      status.proposal = p->replicas;
      status.ready = p->ready;
      if (!proposal || p->replicas > *proposal) proposal = p->replicas;
    } else {
      ++invalid;
    }
    d.metrics.push_back(std::move(status));
  }

  if (rollout_running) {
    d.condition = "RolloutInProgress";
  } else if (current > settings.max) {
    d.desired = settings.max;
    d.condition = "AboveMax";
  } else if (current < settings.min) {
    d.desired = settings.min;
    d.condition = "BelowMin";
  } else if (invalid == metrics.size() || (invalid > 0 && proposal && *proposal < current)) {
    // All metrics without a reading, or some, and the others would scale down: the HPA does
    // nothing rather than shrink on partial knowledge.
    d.condition = "InvalidMetrics";
  } else {
    d.recommendation = proposal;
    const Normalized normalized = behavior_.normalize(now, current, *proposal, settings);
    d.desired = normalized.replicas;
    d.condition = normalized.reason;
  }
  d.reason = fmt::format("{}: {}", metrics_text(d), outcome_text(d));
  if (d.recommendation) {
    d.reason =
        fmt::format("{}: recommend {}, {}", metrics_text(d), *d.recommendation, outcome_text(d));
  }
  last_ = d;
  return d;
}

void ServiceAutoscaler::applied(Clock::time_point now, const Decision& decision,
                                const config::Autoscale& settings) {
  behavior_.record_scale(now, decision.current, decision.desired, settings);
  changes_.push_back(decision);
  while (changes_.size() > kKeptChanges) changes_.pop_front();
}

}  // namespace flotilla::autoscale
