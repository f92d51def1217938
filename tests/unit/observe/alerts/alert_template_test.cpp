#include "observe/alerts/alert_template.hpp"
#include "observe/alerts/default_rules.hpp"
#include "promql/alert_template.hpp"

#include <gtest/gtest.h>

namespace flotilla::observe {
namespace {

const Labels kLabels{{"instance", "2"}, {"service", "web"}};

TEST(AlertTemplate, ExpandsLabelsAndValue) {
  EXPECT_EQ(expand_alert_template("{{ $labels.service }}/{{$labels.instance}} at {{ $value }}",
                                  kLabels, 0.35),
            "web/2 at 0.35");
  EXPECT_EQ(expand_alert_template("{{ .Labels.service }} {{ .Value }}", kLabels, 3), "web 3");
  EXPECT_EQ(expand_alert_template("missing: '{{ $labels.nope }}'", kLabels, 1), "missing: ''");
  EXPECT_EQ(expand_alert_template("no actions", kLabels, 1), "no actions");
}

TEST(AlertTemplate, Pipes) {
  EXPECT_EQ(expand_alert_template("{{ $value | humanize }}", kLabels, 1234567), "1.235M");
  EXPECT_EQ(expand_alert_template("{{ $value | humanize }}", kLabels, 0.25), "250m");
  EXPECT_EQ(expand_alert_template("{{ $value | humanizePercentage }}", kLabels, 0.934), "93.4%");
  EXPECT_EQ(expand_alert_template("{{ $value | humanizeDuration }}", kLabels, 3725), "1h 2m 5s");
  EXPECT_EQ(expand_alert_template("{{ $value | humanizeDuration }}", kLabels, 2.5), "2.5s");
  EXPECT_EQ(expand_alert_template(R"({{ printf "%.2f" $value }})", kLabels, 2.0 / 3), "0.67");
}

TEST(AlertTemplate, LeavesWhatItDoesNotKnow) {
  EXPECT_EQ(expand_alert_template("{{ range $x }}", kLabels, 1), "{{ range $x }}");
  EXPECT_EQ(expand_alert_template(R"({{ printf "%s %d" $value }})", kLabels, 1),
            R"({{ printf "%s %d" $value }})");
  EXPECT_EQ(expand_alert_template("{{ unclosed", kLabels, 1), "{{ unclosed");
}

TEST(AlertTemplate, FormatsFloatsLikeGo) {
  EXPECT_EQ(format_go_float(0.35), "0.35");
  EXPECT_EQ(format_go_float(3), "3");
  EXPECT_EQ(format_go_float(123456), "123456");
  EXPECT_EQ(format_go_float(1e6), "1e+06");
  EXPECT_EQ(format_go_float(0.00001), "1e-05");
}

}  // namespace
}  // namespace flotilla::observe

namespace flotilla::observe {
namespace {

TEST(AlertTemplateProblem, TheDefaultRulesAreClean) {
  const std::vector<config::AlertRule> rules = default_alert_rules(config::DefaultAlertRules{});
  ASSERT_EQ(rules.size(), 5u);
  for (const config::AlertRule& rule : rules) {
    for (const auto& [name, text] : rule.annotations) {
      EXPECT_EQ(promql::alert_template_problem(text), "") << rule.name << " " << name;
    }
  }
}

}  // namespace
}  // namespace flotilla::observe
