#include "observe/alerts/default_rules.hpp"

#include <fmt/format.h>

#include "promql/prom_duration.hpp"

namespace flotilla::observe {
namespace {

config::AlertRule rule(std::string name, std::string expr, config::Duration for_duration,
                       std::string severity, std::string summary, std::string description) {
  config::AlertRule out;
  out.name = std::move(name);
  out.expr = std::move(expr);
  out.for_duration = for_duration;
  out.labels["severity"] = std::move(severity);
  out.annotations["summary"] = std::move(summary);
  out.annotations["description"] = std::move(description);
  return out;
}

}  // namespace

std::vector<config::AlertRule> default_alert_rules(const config::DefaultAlertRules& tuning) {
  const std::string window = promql::format_prom_duration(tuning.window.count());
  const std::string restarts = promql::format_prom_duration(tuning.restart_window.count());
  const config::Duration hold = tuning.for_duration;
  std::vector<config::AlertRule> rules;
  rules.push_back(
      rule("HighErrorRate",
           fmt::format(R"(sum(rate(http_requests_total{{status=~"5.."}}[{}])) > 0.1)", window),
           hold, "critical", "High 5xx error rate",
           fmt::format("{{{{ $value | humanize }}}} responses per second are 5xx over the last {}",
                       window)));
  rules.push_back(rule(
      "HighResponseTime",
      fmt::format("histogram_quantile(0.95, sum by (le) "
                  "(rate(http_request_duration_seconds_bucket[{}]))) > 2",
                  window),
      hold, "warning", "High response time",
      fmt::format("95th percentile latency is {{{{ $value | humanizeDuration }}}} over the last {}",
                  window)));
  rules.push_back(rule("InstanceCrashLooping",
                       fmt::format("increase(flotilla_instance_restarts_total[{}]) > 0", restarts),
                       hold, "warning", "Instance {{ $labels.replica }} is restarting",
                       fmt::format("{{{{ $labels.replica }}}} restarted "
                                   "{{{{ $value | humanize }}}} times in the last {}",
                                   restarts)));
  // An instance without a memory limit has no limit series (or 0): the `> 0` filter keeps it
  // out instead of dividing by zero.
  rules.push_back(
      rule("HighMemoryUsage",
           "flotilla_instance_memory_bytes / (flotilla_instance_memory_limit_bytes > 0) > 0.9",
           hold, "warning", "Instance {{ $labels.replica }} is near its memory limit",
           "{{ $labels.replica }} uses {{ $value | humanizePercentage }} of "
           "its memory limit"));
  return rules;
}

std::vector<config::AlertRule> effective_alert_rules(const config::Alerts& alerts) {
  std::vector<config::AlertRule> rules;
  if (alerts.defaults) rules = default_alert_rules(alerts.default_rules);
  rules.insert(rules.end(), alerts.rules.begin(), alerts.rules.end());
  return rules;
}

}  // namespace flotilla::observe
