#include "observe/alerts/alert_status.hpp"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "observe/alerts/alert_template.hpp"

namespace flotilla::observe {
namespace {

nlohmann::json labels_json(const Labels& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : labels) out[name] = value;
  return out;
}

}  // namespace

std::string_view to_string(AlertState state) {
  switch (state) {
    case AlertState::inactive:
      return "inactive";
    case AlertState::pending:
      return "pending";
    case AlertState::firing:
      return "firing";
  }
  return "inactive";
}

std::string format_rfc3339(WallTime time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     ms.count() % 1000);
}

nlohmann::json to_json(const AlertStatus& alert) {
  nlohmann::json out{
      {"name", alert.name},
      {"labels", labels_json(alert.labels)},
      {"annotations", labels_json(alert.annotations)},
      {"state", to_string(alert.state)},
      {"activeAt", format_rfc3339(alert.active_since)},
      {"value", format_go_float(alert.value)},
  };
  if (alert.fired_at) out["firedAt"] = format_rfc3339(*alert.fired_at);
  if (alert.resolved_at) out["resolvedAt"] = format_rfc3339(*alert.resolved_at);
  return out;
}

nlohmann::json to_json(const RuleStatus& rule) {
  nlohmann::json out{
      {"name", rule.name},
      {"query", rule.expr},
      {"duration", static_cast<double>(rule.for_duration.count()) / 1000.0},
      {"state", to_string(rule.state)},
      {"health", rule.last_error.empty() ? "ok" : "err"},
      {"alerts", rule.active_alerts},
  };
  if (!rule.last_error.empty()) out["lastError"] = rule.last_error;
  if (rule.last_evaluation) out["lastEvaluation"] = format_rfc3339(*rule.last_evaluation);
  return out;
}

}  // namespace flotilla::observe
