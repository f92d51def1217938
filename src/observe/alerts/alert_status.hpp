// What the alert engine shows: one alert (a rule's label set) and one rule, for
// /api/v1/alerts, /api/v1/rules and `flotilla status`; and their JSON, shaped like Prometheus'
// HTTP API so existing tooling reads it. Data plus conversion only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "observe/sample.hpp"

namespace flotilla::observe {

// inactive: the condition no longer holds (a resolved alert, kept a while to notify it);
// pending: holds, not yet for `for`; firing: held for `for`.
enum class AlertState { inactive, pending, firing };
std::string_view to_string(AlertState state);

using WallTime = std::chrono::system_clock::time_point;

struct AlertStatus {
  std::string name;  // the rule's name (= labels' alertname)
  AlertState state = AlertState::inactive;
  Labels labels;          // alertname + the series' labels + the rule's labels
  Labels annotations;     // templates expanded
  double value = 0;       // the expression's value at the last evaluation it held
  WallTime active_since;  // when it became pending
  std::optional<WallTime> fired_at;
  std::optional<WallTime> resolved_at;
};

struct RuleStatus {
  std::string name;
  std::string expr;
  std::chrono::milliseconds for_duration{0};
  AlertState state = AlertState::inactive;  // the most severe of its alerts
  std::string last_error;                   // empty while the rule evaluates fine
  std::optional<WallTime> last_evaluation;
  std::size_t active_alerts = 0;  // pending + firing
};

// RFC 3339 with milliseconds in UTC, as Prometheus and Alertmanager write times.
std::string format_rfc3339(WallTime time);

// {"labels":{...},"annotations":{...},"state":"firing","activeAt":"...","value":"0.5",...}
nlohmann::json to_json(const AlertStatus& alert);
// {"name","query","duration" (seconds),"state","health":"ok"|"err","lastError","alerts":N,...}
nlohmann::json to_json(const RuleStatus& rule);

}  // namespace flotilla::observe
