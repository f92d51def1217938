// The alert state machine, driven by synthetic scrapes one second apart: each built-in rule
// (with windows shrunk to seconds) goes pending → firing → resolved under the scenario that
// triggers it, and notifications come out as Prometheus sends them.
#include "observe/alerts/alerting_rule.hpp"

#include <cmath>
#include <functional>
#include <initializer_list>
#include <string_view>

#include <gtest/gtest.h>

#include "alert_test_support.hpp"
#include "observe/alerts/default_rules.hpp"

namespace flotilla::observe {
namespace {

using namespace std::chrono_literals;
using testing::sample;
using testing::view;

constexpr std::int64_t kStart = 1'700'000'000'000;  // a wall-clock-like origin, ms

config::DefaultAlertRules short_windows() {
  config::DefaultAlertRules tuning;
  tuning.window = 10s;
  tuning.restart_window = 10s;
  tuning.for_duration = 2s;
  return tuning;
}

AlertingRule make_rule(const std::string& name) {
  for (config::AlertRule& rule : default_alert_rules(short_windows())) {
    if (rule.name == name) {
      promql::ExprPtr expr = testing::parse(rule.expr);
      return AlertingRule(std::move(rule), expr);
    }
  }
  ADD_FAILURE() << "no rule " << name;
  return AlertingRule({}, testing::parse("vector(1)"));
}

// Steps one second at a time, the view built by `scrape(second)`; returns the sequence of rule
// states seen (collapsed), stopping once the rule went back to inactive after firing.
struct Cycle {
  std::vector<AlertState> states;
  std::int64_t fired_at_second = -1;
  std::int64_t resolved_at_second = -1;
};

Cycle run(AlertingRule& rule, const std::function<MetricsView(int second)>& scrape,
          int max_seconds = 60) {
  SeriesStore store(60'000);
  Cycle out;
  for (int second = 1; second <= max_seconds; ++second) {
    const std::int64_t now = kStart + second * 1'000;
    store.append(now, scrape(second));
    rule.evaluate(store, now);
    EXPECT_EQ(rule.last_error(), "") << "at " << second << "s";
    AlertState state = rule.status().state;
    for (const auto& [key, alert] : rule.alerts()) {
      if (alert.state == AlertState::inactive) state = AlertState::inactive;
    }
    if (out.states.empty() || out.states.back() != state) {
      out.states.push_back(state);
      if (state == AlertState::firing) out.fired_at_second = second;
      if (state == AlertState::inactive && out.fired_at_second >= 0) {
        out.resolved_at_second = second;
        break;
      }
    }
  }
  return out;
}

const std::vector<AlertState> kFullCycle{AlertState::inactive, AlertState::pending,
                                         AlertState::firing, AlertState::inactive};

TEST(AlertingRule, HighErrorRateCycles) {
  AlertingRule rule = make_rule("HighErrorRate");
  // One 500 per second for 10 s, then only 200s.
  const Cycle result = run(rule, [](int s) {
    return view({sample("http_requests_total",
                        {{"method", "GET"}, {"status", "500"}, {"route", "/"}}, std::min(s, 10)),
                 sample("http_requests_total",
                        {{"method", "GET"}, {"status", "200"}, {"route", "/"}}, 100.0 * s)});
  });
  EXPECT_EQ(result.states, kFullCycle);
  // Pending from the second scrape (the first rate), firing 2 s later.
  EXPECT_EQ(result.fired_at_second, 4);
  EXPECT_GT(result.resolved_at_second, 10);
}

TEST(AlertingRule, HighResponseTimeCycles) {
  AlertingRule rule = make_rule("HighResponseTime");
  // 10 requests/s taking 3 s (bucket le=5) for 10 s, then fast ones (le=0.1).
  const Cycle result = run(rule, [](int s) {
    const double slow = 10.0 * std::min(s, 10);
    const double fast = 10.0 * std::max(0, s - 10);
    auto bucket = [](const char* le, double count) {
      return sample("http_request_duration_seconds_bucket", {{"le", le}}, count);
    };
    return view({bucket("0.1", fast), bucket("1", fast), bucket("2.5", fast),
                 bucket("5", fast + slow), bucket("+Inf", fast + slow)});
  });
  EXPECT_EQ(result.states, kFullCycle);
  EXPECT_EQ(result.fired_at_second, 4);
  EXPECT_GT(result.resolved_at_second, 10);
}

// The instance's series as the supervisor exports them: restarts, its state, up.
std::vector<Sample> instance(const char* replica, double restarts, const char* state = "ready") {
  const Labels labels{{"replica", replica}, {"service", "web"}};
  std::vector<Sample> out{sample("flotilla_instance_restarts_total", labels, restarts),
                          sample("flotilla_instance_up", labels, 1)};
  for (const char* s : {"ready", "backoff", "crash_loop"}) {
    Labels with_state = labels;
    with_state.emplace_back("state", s);
    out.push_back(
        sample("flotilla_instance_state", with_state, std::string_view(s) == state ? 1 : 0));
  }
  return out;
}

MetricsView instances(std::initializer_list<std::vector<Sample>> parts) {
  MetricsView out;
  for (const auto& part : parts) {
    for (const Sample& s : part) out.push_back(MetricFamily{s.name, "", MetricType::gauge, {s}});
  }
  return out;
}

TEST(AlertingRule, InstanceCrashLoopingCyclesAndNamesTheInstance) {
  AlertingRule rule = make_rule("InstanceCrashLooping");
  // web/2 restarts every 2 s until second 8 (4 restarts in the window); web/1 never does.
  std::vector<ActiveAlert> firing;
  const Cycle result = run(rule, [&](int s) {
    if (firing.empty()) {
      for (const auto& [key, alert] : rule.alerts()) {
        if (alert.state == AlertState::firing) firing.push_back(alert);
      }
    }
    return instances({instance("web/2", std::min(s, 8) / 2), instance("web/1", 0)});
  });
  EXPECT_EQ(result.states, kFullCycle);
  ASSERT_EQ(firing.size(), 1u);
  EXPECT_EQ(firing[0].labels, (Labels{{"alertname", "InstanceCrashLooping"},
                                      {"replica", "web/2"},
                                      {"service", "web"},
                                      {"severity", "warning"}}));
  EXPECT_EQ(firing[0].annotations.at(1),
            (std::pair<std::string, std::string>{"summary", "Instance web/2 is crash-looping"}));
  // A whole count, not increase()'s extrapolation.
  EXPECT_EQ(firing[0].value, std::floor(firing[0].value));
  EXPECT_GE(firing[0].value, 3);
}

TEST(AlertingRule, InstanceCrashLoopingIgnoresOneRestart) {
  AlertingRule rule = make_rule("InstanceCrashLooping");
  // One restart at second 3, then two at seconds 12 and 24 (never 3 in a 10 s window).
  const Cycle result = run(
      rule,
      [](int s) {
        const int restarts = (s >= 3) + (s >= 12) + (s >= 24);
        return instances({instance("web/0", restarts)});
      },
      40);
  EXPECT_EQ(result.states, std::vector{AlertState::inactive});
}

TEST(AlertingRule, InstanceCrashLoopingFiresInCrashLoopBackOff) {
  AlertingRule rule = make_rule("InstanceCrashLooping");
  // One restart, then waiting in crash_loop (a long back-off) from second 4 to 20.
  const Cycle result = run(rule, [](int s) {
    const bool looping = s >= 4 && s <= 20;
    return instances({instance("web/0", s >= 3 ? 1 : 0, looping ? "crash_loop" : "ready")});
  });
  EXPECT_EQ(result.states, kFullCycle);
  EXPECT_EQ(result.fired_at_second, 6);
}

TEST(AlertingRule, InstanceCrashLoopingResolvesWhenTheInstanceIsScaledAway) {
  AlertingRule rule = make_rule("InstanceCrashLooping");
  // web/3 crash-loops, then is scaled away at second 8: its series stop at once.
  const Cycle result = run(rule, [](int s) {
    if (s >= 8) return instances({instance("web/0", 0)});
    return instances({instance("web/0", 0), instance("web/3", s)});
  });
  EXPECT_EQ(result.states, kFullCycle);
  EXPECT_EQ(result.resolved_at_second, 8);
}

TEST(AlertingRule, HighMemoryUsageCycles) {
  AlertingRule rule = make_rule("HighMemoryUsage");
  // 95 % of the limit for 6 s, then 10 %; a second instance without a limit (0) never alerts.
  const Cycle result = run(rule, [](int s) {
    const Labels web1{{"replica", "web/1"}, {"service", "web"}};
    const Labels web2{{"replica", "web/2"}, {"service", "web"}};
    return view({sample("flotilla_instance_memory_bytes", web1, s <= 6 ? 950 : 100),
                 sample("flotilla_instance_memory_limit_bytes", web1, 1000),
                 sample("flotilla_instance_memory_bytes", web2, 5000),
                 sample("flotilla_instance_memory_limit_bytes", web2, 0)});
  });
  // Pending from the first scrape (a gauge needs no window), firing 2 s later.
  EXPECT_EQ(result.states,
            (std::vector{AlertState::pending, AlertState::firing, AlertState::inactive}));
  EXPECT_EQ(result.fired_at_second, 3);
  EXPECT_EQ(result.resolved_at_second, 7);
}

TEST(AlertingRule, PendingThatStopsBeforeForNeverFires) {
  AlertingRule rule = make_rule("HighMemoryUsage");
  const Labels web1{{"replica", "web/1"}, {"service", "web"}};
  SeriesStore store(60'000);
  store.append(kStart + 1'000, view({sample("flotilla_instance_memory_bytes", web1, 950),
                                     sample("flotilla_instance_memory_limit_bytes", web1, 1000)}));
  rule.evaluate(store, kStart + 1'000);
  EXPECT_EQ(rule.status().state, AlertState::pending);
  EXPECT_TRUE(rule.take_due(kStart + 1'000, 1'000).empty());  // pending alerts are not sent
  store.append(kStart + 2'000, view({sample("flotilla_instance_memory_bytes", web1, 10),
                                     sample("flotilla_instance_memory_limit_bytes", web1, 1000)}));
  rule.evaluate(store, kStart + 2'000);
  EXPECT_TRUE(rule.alerts().empty());
}

TEST(AlertingRule, ZeroForFiresAtOnceAndNotificationsFollowPrometheus) {
  config::AlertRule spec;
  spec.name = "Down";
  spec.expr = "up == 0";
  spec.labels["severity"] = "page";
  spec.annotations["summary"] = "{{ $labels.job }} is down ({{ $value }})";
  AlertingRule rule(spec, testing::parse(spec.expr));
  SeriesStore store(60'000);
  auto step = [&](int second, double up) {
    store.append(kStart + second * 1'000, view({sample("up", {{"job", "api"}}, up)}));
    rule.evaluate(store, kStart + second * 1'000);
    return rule.take_due(kStart + second * 1'000, 2'000);
  };
  std::vector<ActiveAlert> due = step(1, 0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].state, AlertState::firing);
  EXPECT_EQ(due[0].annotations, (Labels{{"summary", "api is down (0)"}}));
  EXPECT_EQ(due[0].labels, (Labels{{"alertname", "Down"}, {"job", "api"}, {"severity", "page"}}));
  EXPECT_TRUE(step(2, 0).empty());  // re-sent only every 2 s
  EXPECT_EQ(step(3, 0).size(), 1u);
  due = step(4, 1);  // resolved: sent at once, with its resolution time
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].state, AlertState::inactive);
  EXPECT_EQ(due[0].resolved_at_ms, kStart + 4'000);
  const std::vector<AlertStatus> statuses = rule.statuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].state, AlertState::inactive);
  EXPECT_EQ(statuses[0].active_since, wall_time(kStart + 1'000));
  EXPECT_EQ(statuses[0].fired_at, wall_time(kStart + 1'000));
  EXPECT_EQ(statuses[0].resolved_at, wall_time(kStart + 4'000));
  // Firing again makes a new alert, active from now.
  step(5, 0);
  EXPECT_EQ(rule.statuses().at(0).active_since, wall_time(kStart + 5'000));
  EXPECT_EQ(rule.status().state, AlertState::firing);
}

TEST(AlertingRule, AnEvaluationErrorKeepsTheStates) {
  config::AlertRule spec;
  spec.name = "Ratio";
  spec.expr = "a / on(i) b > 0";
  AlertingRule rule(spec, testing::parse(spec.expr));
  SeriesStore store(60'000);
  store.append(kStart, view({sample("a", {{"i", "1"}}, 1), sample("b", {{"i", "1"}}, 1)}));
  rule.evaluate(store, kStart);
  EXPECT_EQ(rule.status().state, AlertState::firing);
  store.append(kStart + 1'000, view({sample("a", {{"i", "1"}}, 1), sample("b", {{"i", "1"}}, 1),
                                     sample("b", {{"i", "1"}, {"j", "2"}}, 1)}));
  rule.evaluate(store, kStart + 1'000);
  EXPECT_NE(rule.last_error(), "");
  EXPECT_EQ(rule.status().state, AlertState::firing);
  EXPECT_EQ(rule.status().last_error, rule.last_error());
}

TEST(DefaultRules, AllParseAndFollowTheConfig) {
  config::Alerts alerts;
  alerts.rules.push_back(config::AlertRule{{}, "Mine", "up == 0", {}, {}, {}});
  std::vector<config::AlertRule> rules = effective_alert_rules(alerts);
  ASSERT_EQ(rules.size(), 6u);
  EXPECT_EQ(rules[0].expr, R"(sum(rate(http_requests_total{status=~"5.."}[5m])) > 0.1)");
  EXPECT_EQ(rules[2].expr,
            "(floor(increase(flotilla_instance_restarts_total[15m]) + 0.5) >= 3 or "
            "(floor(increase(flotilla_instance_restarts_total[15m]) + 0.5) > 0 and on (service, "
            "replica) flotilla_instance_state{state=\"crash_loop\"} == 1)) and on (service, "
            "replica) flotilla_instance_up");
  EXPECT_EQ(rules[4].name, "CertificateRenewalFailing");
  EXPECT_EQ(rules[4].expr, "flotilla_certificate_renewal_failing > 0");
  EXPECT_EQ(rules[5].name, "Mine");
  for (const config::AlertRule& rule : rules) {
    EXPECT_TRUE(promql::parse_alert_expr(rule.expr).ok()) << rule.expr;
    EXPECT_EQ(rule.for_duration, rule.name == "Mine" ? 0s : 5min);
  }
  alerts.defaults = false;
  EXPECT_EQ(effective_alert_rules(alerts).size(), 1u);
  EXPECT_EQ(
      default_alert_rules(short_windows())[1].expr,
      "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[10s]))) "
      "> 2");
}

}  // namespace
}  // namespace flotilla::observe
