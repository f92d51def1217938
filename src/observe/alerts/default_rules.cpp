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
  // Crash-looping, not one restart: 3 or more restarts in the window, or restarting at all while
  // in crash_loop (Kubernetes' CrashLoopBackOff: several failed runs in a row, long waits). The
  // count is rounded, since increase() extrapolates (2.93 restarts helps no one). The last `and`
  // keeps only instances that still exist: one scaled away resolves at the next evaluation, as an
  // instant vector whose series went stale does in Prometheus.
  const std::string restart_count =
      fmt::format("floor(increase(flotilla_instance_restarts_total[{}]) + 0.5)", restarts);
  rules.push_back(
      rule("InstanceCrashLooping",
           fmt::format("({0} >= 3 or ({0} > 0 and on (service, replica) "
                       "flotilla_instance_state{{state=\"crash_loop\"}} == 1)) "
                       "and on (service, replica) flotilla_instance_up",
                       restart_count),
           hold, "warning", "Instance {{ $labels.replica }} is crash-looping",
           fmt::format("{{{{ $labels.replica }}}} restarted {{{{ $value }}}} times in the last {}",
                       restarts)));
  // An instance without a memory limit has no limit series (or 0): the `> 0` filter keeps it
  // out instead of dividing by zero.
  rules.push_back(
      rule("HighMemoryUsage",
           "flotilla_instance_memory_bytes / (flotilla_instance_memory_limit_bytes > 0) > 0.9",
           hold, "warning", "Instance {{ $labels.replica }} is near its memory limit",
           "{{ $labels.replica }} uses {{ $value | humanizePercentage }} of "
           "its memory limit"));
  // An ACME renewal that failed keeps serving the old certificate: worth a look long before it
  // expires (the renewal starts with a third of the lifetime left and retries with back-off).
  rules.push_back(rule("CertificateRenewalFailing", "flotilla_certificate_renewal_failing > 0",
                       hold, "warning", "Certificate renewal for {{ $labels.name }} is failing",
                       "The last ACME order for {{ $labels.name }} failed; the current "
                       "certificate is kept (see flotilla certs)"));
  return rules;
}

std::vector<config::AlertRule> effective_alert_rules(const config::Alerts& alerts) {
  std::vector<config::AlertRule> rules;
  if (alerts.defaults) rules = default_alert_rules(alerts.default_rules);
  rules.insert(rules.end(), alerts.rules.begin(), alerts.rules.end());
  return rules;
}

}  // namespace flotilla::observe
