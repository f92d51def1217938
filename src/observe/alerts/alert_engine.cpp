#include "observe/alerts/alert_engine.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "observe/alerts/alerting_rule.hpp"
#include "observe/alerts/alertmanager_client.hpp"
#include "observe/alerts/default_rules.hpp"
#include "observe/alerts/series_store.hpp"
#include "promql/parse_alert_expr.hpp"

namespace flotilla::observe {
namespace {

// Resolved alerts stay on /api/v1/alerts (and the dashboard, status) for this many evaluation
// intervals — 5 minutes at the default 15 s, like Alertmanager's resolve_timeout — then leave;
// Alertmanager is still told for kResolvedRetentionMs.
constexpr std::int64_t kResolvedShownIntervals = 20;

// "InstanceCrashLooping{replica=web/2, service=web}": the alert as the log names it.
std::string alert_name(const ActiveAlert& alert) {
  std::string name;
  std::string labels;
  for (const auto& [label, value] : alert.labels) {
    if (label == "alertname") {
      name = value;
    } else if (label != "severity") {
      labels += fmt::format("{}{}={}", labels.empty() ? "" : ", ", label, value);
    }
  }
  return labels.empty() ? name : fmt::format("{}{{{}}}", name, labels);
}

std::string annotation(const ActiveAlert& alert, std::string_view key) {
  for (const auto& [name, value] : alert.annotations) {
    if (name == key) return value;
  }
  return "";
}

// Each alert's state (and name) before an evaluation, to log what changed after it.
using Before = std::map<std::string, std::pair<AlertState, std::string>>;
Before states_of(const AlertingRule& rule) {
  Before out;
  for (const auto& [key, alert] : rule.alerts()) {
    out.emplace(key, std::pair{alert.state, alert_name(alert)});
  }
  return out;
}

void log_transitions(const AlertingRule& rule, const Before& before) {
  for (const auto& [key, alert] : rule.alerts()) {
    const auto was = before.find(key);
    const AlertState old_state = was == before.end() ? AlertState::inactive : was->second.first;
    if (old_state == alert.state) continue;
    const std::string description = annotation(alert, "description");
    switch (alert.state) {
      case AlertState::pending:
        spdlog::info("alert {} pending (value {}): {}", alert_name(alert), alert.value,
                     description);
        break;
      case AlertState::firing:
        spdlog::warn("alert {} firing (value {}): {}", alert_name(alert), alert.value, description);
        break;
      case AlertState::inactive:
        spdlog::info("alert {} resolved", alert_name(alert));
        break;
    }
  }
  for (const auto& [key, was] : before) {
    if (was.first == AlertState::pending && rule.alerts().count(key) == 0) {
      spdlog::info("alert {} inactive again: its condition cleared before `for` passed",
                   was.second);
    }
  }
}

}  // namespace

struct AlertEngine::State {
  State(asio::io_context& io, std::int64_t retention_ms) : timer(io), store(retention_ms) {}

  asio::steady_timer timer;
  Scrape scrape;
  std::chrono::milliseconds interval{15000};
  std::string generator_url;
  SeriesStore store;
  std::optional<AlertmanagerClient> alertmanager;
  // Wall-clock time at start plus monotonic time since: sample times never go backwards.
  std::chrono::system_clock::time_point wall_origin = std::chrono::system_clock::now();
  std::chrono::steady_clock::time_point steady_origin = std::chrono::steady_clock::now();
  bool running = false;
  mutable std::mutex mutex;  // guards `rules` and `evaluations` against readers on other threads
  std::vector<AlertingRule> rules;
  std::uint64_t evaluations = 0;

  std::int64_t now_ms() const {
    const auto elapsed = std::chrono::steady_clock::now() - steady_origin;
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               (wall_origin + elapsed).time_since_epoch())
        .count();
  }

  void evaluate_once() {
    const std::int64_t now = now_ms();
    MetricsView view;
    try {
      view = scrape();
    } catch (const std::exception& e) {
      spdlog::warn("alerts: the metrics scrape failed: {}", e.what());
    }
    store.append(now, view);
    std::vector<ActiveAlert> due;
    {
      const std::lock_guard lock(mutex);
      ++evaluations;
      for (AlertingRule& rule : rules) {
        const std::string previous_error = rule.last_error();
        const Before before = states_of(rule);
        rule.evaluate(store, now);
        log_transitions(rule, before);
        if (!rule.last_error().empty() && rule.last_error() != previous_error) {
          spdlog::warn("alerts: rule {} failed: {}", rule.rule().name, rule.last_error());
        }
        if (alertmanager) {
          std::vector<ActiveAlert> rule_due = rule.take_due(now, interval.count());
          due.insert(due.end(), std::make_move_iterator(rule_due.begin()),
                     std::make_move_iterator(rule_due.end()));
        }
      }
    }
    if (alertmanager && !due.empty()) {
      // Like Prometheus: a firing alert stays valid for 4 intervals unless re-sent.
      alertmanager->send(alertmanager_payload(due, now, 4 * interval.count(), generator_url));
    }
  }
};

namespace {

asio::awaitable<void> evaluation_loop(std::shared_ptr<AlertEngine::State> state) {
  while (state->running) {
    state->evaluate_once();
    state->timer.expires_after(state->interval);
    auto [error] =
        co_await state->timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    (void)error;  // cancelled by stop(): `running` says whether to go on
  }
}

}  // namespace

AlertEngine::AlertEngine(asio::io_context& io, const config::Spec& spec, Scrape scrape) {
  std::vector<AlertingRule> rules;
  std::int64_t longest = 0;
  for (config::AlertRule& rule : effective_alert_rules(spec.alerts)) {
    promql::ExprParseResult parsed = promql::parse_alert_expr(rule.expr);
    if (!parsed.ok()) {
      throw std::invalid_argument(fmt::format("alert rule {}: {} at character {}", rule.name,
                                              parsed.error, parsed.error_offset + 1));
    }
    longest = std::max(longest, promql::longest_range_ms(*parsed.expr));
    rules.emplace_back(std::move(rule), parsed.expr);
  }
  const auto interval = std::max(spec.alerts.evaluation_interval, config::Duration(1));
  // Keep the longest window plus one interval, so a window is never cut short by pruning.
  state_ = std::make_shared<State>(io, longest + interval.count());
  state_->rules = std::move(rules);
  state_->scrape = std::move(scrape);
  state_->interval = interval;
  const config::Address& admin = spec.admin.listen;
  state_->generator_url = fmt::format("http://{}:{}/api/v1/alerts", admin.host, admin.port);
  if (spec.alertmanager) state_->alertmanager.emplace(io.get_executor(), spec.alertmanager->url);
}

AlertEngine::~AlertEngine() {
  stop();
}

void AlertEngine::start() {
  if (state_->running) return;
  state_->running = true;
  asio::co_spawn(state_->timer.get_executor(), evaluation_loop(state_), asio::detached);
}

void AlertEngine::stop() {
  state_->running = false;
  state_->timer.cancel();
}

std::vector<AlertStatus> AlertEngine::alerts() const {
  const std::lock_guard lock(state_->mutex);
  const WallTime shown_since =
      wall_time(state_->now_ms() - kResolvedShownIntervals * state_->interval.count());
  std::vector<AlertStatus> out;
  for (const AlertingRule& rule : state_->rules) {
    for (AlertStatus& status : rule.statuses()) {
      if (status.state == AlertState::inactive && status.resolved_at &&
          *status.resolved_at < shown_since) {
        continue;  // resolved a while ago: gone from the API (Alertmanager still hears of it)
      }
      out.push_back(std::move(status));
    }
  }
  return out;
}

std::vector<RuleStatus> AlertEngine::rules() const {
  const std::lock_guard lock(state_->mutex);
  std::vector<RuleStatus> out;
  for (const AlertingRule& rule : state_->rules) out.push_back(rule.status());
  return out;
}

std::uint64_t AlertEngine::evaluations() const {
  const std::lock_guard lock(state_->mutex);
  return state_->evaluations;
}

std::uint64_t AlertEngine::alertmanager_batches_sent() const {
  return state_->alertmanager ? state_->alertmanager->stats().batches_sent : 0;
}

}  // namespace flotilla::observe
