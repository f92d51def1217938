// One alerting rule's state machine, as Prometheus' AlertingRule: per label set of the
// expression's result, inactive → pending (condition true) → firing (true for `for`) → inactive
// (resolved, kept 15 minutes so receivers hear about it). Time is passed in, never read.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/spec.hpp"
#include "observe/alerts/alert_status.hpp"
#include "observe/alerts/series_store.hpp"
#include "promql/expr.hpp"

namespace flotilla::observe {

// How long a resolved alert is kept (and re-sent), as Prometheus' resolvedRetention.
inline constexpr std::int64_t kResolvedRetentionMs = 15 * 60 * 1000;

struct ActiveAlert {
  Labels labels;  // alertname + series labels (no __name__) + rule labels
  Labels annotations;
  AlertState state = AlertState::pending;
  double value = 0;
  std::int64_t active_at_ms = 0;
  std::int64_t fired_at_ms = 0;     // 0: never fired
  std::int64_t resolved_at_ms = 0;  // 0: not resolved
  std::int64_t last_sent_ms = 0;    // 0: never sent
};

class AlertingRule {
 public:
  // `expr` is the parsed rule.expr.
  AlertingRule(config::AlertRule rule, promql::ExprPtr expr);

  // Evaluates at `time_ms` and moves every alert of the rule through its states. On an
  // evaluation error the alerts keep their states and last_error() says why.
  void evaluate(const SeriesStore& store, std::int64_t time_ms);

  // Firing and resolved alerts due for Alertmanager: never sent, resolved since the last
  // send, or last sent `resend_ms` ago. Marks them sent at `time_ms`.
  std::vector<ActiveAlert> take_due(std::int64_t time_ms, std::int64_t resend_ms);

  const config::AlertRule& rule() const { return rule_; }
  const std::map<std::string, ActiveAlert>& alerts() const { return alerts_; }
  const std::string& last_error() const { return last_error_; }
  std::vector<AlertStatus> statuses() const;
  RuleStatus status() const;

 private:
  config::AlertRule rule_;
  promql::ExprPtr expr_;
  std::map<std::string, ActiveAlert> alerts_;  // by labels_key(labels)
  std::string last_error_;
  std::int64_t last_evaluation_ms_ = -1;
};

WallTime wall_time(std::int64_t ms_since_epoch);

}  // namespace flotilla::observe
