#include "observe/alerts/alerting_rule.hpp"

#include <set>

#include "observe/alerts/alert_template.hpp"
#include "observe/alerts/evaluator.hpp"
#include "observe/alerts/label_set.hpp"

namespace flotilla::observe {

WallTime wall_time(std::int64_t ms_since_epoch) {
  return WallTime(
      std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms_since_epoch)));
}

AlertingRule::AlertingRule(config::AlertRule rule, promql::ExprPtr expr)
    : rule_(std::move(rule)), expr_(std::move(expr)) {}

void AlertingRule::evaluate(const SeriesStore& store, std::int64_t time_ms) {
  last_evaluation_ms_ = time_ms;
  EvalResult result = observe::evaluate(*expr_, store, time_ms);
  if (!result.ok()) {
    last_error_ = result.error;
    return;
  }
  InstantVector vector = std::move(result.value.vector);
  if (result.value.is_scalar) vector.push_back(VectorElement{{}, result.value.scalar});

  // Build every alert first: a result that collapses two series into one label set is an
  // error, and must leave the states untouched.
  struct Candidate {
    std::string key;
    Labels labels;
    Labels annotations;
    double value;
  };
  std::vector<Candidate> candidates;
  std::set<std::string> seen;
  for (VectorElement& element : vector) {
    Labels series = std::move(element.labels);
    drop_label(series, kMetricNameLabel);
    Labels labels = series;
    for (const auto& [name, text] : rule_.labels) {
      set_label(labels, name, expand_alert_template(text, series, element.value));
    }
    set_label(labels, "alertname", rule_.name);
    Labels annotations;
    for (const auto& [name, text] : rule_.annotations) {
      set_label(annotations, name, expand_alert_template(text, series, element.value));
    }
    std::string key = labels_key(labels);
    if (!seen.insert(key).second) {
      last_error_ = "vector contains metrics with the same labelset after applying alert labels";
      return;
    }
    candidates.push_back(
        Candidate{std::move(key), std::move(labels), std::move(annotations), element.value});
  }
  last_error_.clear();

  for (Candidate& candidate : candidates) {
    auto it = alerts_.find(candidate.key);
    if (it != alerts_.end() && it->second.state != AlertState::inactive) {
      it->second.value = candidate.value;
      it->second.annotations = std::move(candidate.annotations);
      continue;
    }
    ActiveAlert alert;
    alert.labels = std::move(candidate.labels);
    alert.annotations = std::move(candidate.annotations);
    alert.value = candidate.value;
    alert.state = AlertState::pending;
    alert.active_at_ms = time_ms;
    alerts_.insert_or_assign(candidate.key, std::move(alert));
  }

  for (auto it = alerts_.begin(); it != alerts_.end();) {
    ActiveAlert& alert = it->second;
    if (seen.count(it->first) == 0) {
      if (alert.state == AlertState::pending ||
          (alert.state == AlertState::inactive &&
           time_ms - alert.resolved_at_ms > kResolvedRetentionMs)) {
        it = alerts_.erase(it);
        continue;
      }
      if (alert.state == AlertState::firing) {
        alert.state = AlertState::inactive;
        alert.resolved_at_ms = time_ms;
      }
    } else if (alert.state == AlertState::pending &&
               time_ms - alert.active_at_ms >= rule_.for_duration.count()) {
      alert.state = AlertState::firing;
      alert.fired_at_ms = time_ms;
    }
    ++it;
  }
}

std::vector<ActiveAlert> AlertingRule::take_due(std::int64_t time_ms, std::int64_t resend_ms) {
  std::vector<ActiveAlert> due;
  for (auto& [key, alert] : alerts_) {
    if (alert.state == AlertState::pending) continue;
    const bool never_sent = alert.last_sent_ms == 0;
    const bool resolved_since = alert.resolved_at_ms > alert.last_sent_ms;
    if (never_sent || resolved_since || alert.last_sent_ms + resend_ms <= time_ms) {
      alert.last_sent_ms = time_ms;
      due.push_back(alert);
    }
  }
  return due;
}

std::vector<AlertStatus> AlertingRule::statuses() const {
  std::vector<AlertStatus> out;
  for (const auto& [key, alert] : alerts_) {
    AlertStatus status;
    status.name = rule_.name;
    status.state = alert.state;
    status.labels = alert.labels;
    status.annotations = alert.annotations;
    status.value = alert.value;
    status.active_since = wall_time(alert.active_at_ms);
    if (alert.fired_at_ms != 0) status.fired_at = wall_time(alert.fired_at_ms);
    if (alert.resolved_at_ms != 0) status.resolved_at = wall_time(alert.resolved_at_ms);
    out.push_back(std::move(status));
  }
  return out;
}

RuleStatus AlertingRule::status() const {
  RuleStatus out;
  out.name = rule_.name;
  out.expr = rule_.expr;
  out.for_duration = rule_.for_duration;
  out.last_error = last_error_;
  if (last_evaluation_ms_ >= 0) out.last_evaluation = wall_time(last_evaluation_ms_);
  for (const auto& [key, alert] : alerts_) {
    if (alert.state == AlertState::inactive) continue;
    ++out.active_alerts;
    if (alert.state == AlertState::firing || out.state == AlertState::inactive) {
      out.state = alert.state;
    }
  }
  return out;
}

}  // namespace flotilla::observe
