// Reading alert annotation templates: which actions flotilla can expand, and the message for
// the rest (observe/alerts/alert_template_test.cpp checks the expansion itself).
#include "promql/alert_template.hpp"

#include <gtest/gtest.h>

namespace flotilla::promql {
namespace {

TEST(TemplateAction, ReadsTheSubset) {
  auto action = parse_template_action(" $labels.service ");
  ASSERT_TRUE(action);
  EXPECT_EQ(action->kind, TemplateAction::Kind::kLabel);
  EXPECT_EQ(action->label, "service");
  action = parse_template_action(".Value | humanizeDuration");
  ASSERT_TRUE(action);
  EXPECT_EQ(action->kind, TemplateAction::Kind::kValue);
  EXPECT_EQ(action->pipe, TemplatePipe::kHumanizeDuration);
  action = parse_template_action(R"(printf "%.2f" $value)");
  ASSERT_TRUE(action);
  EXPECT_EQ(action->kind, TemplateAction::Kind::kPrintf);
  EXPECT_EQ(action->format, "%.2f");
  EXPECT_FALSE(parse_template_action(R"(printf "%s %d" $value)"));  // two conversions
  EXPECT_FALSE(parse_template_action(R"(printf "%d" $value)"));     // not a float
  EXPECT_FALSE(parse_template_action(R"(printf "%.2f" $value | humanize)"));
  EXPECT_FALSE(parse_template_action("range $x"));
}

TEST(AlertTemplateProblem, AcceptsWhatItExpandsAndNamesTheRest) {
  EXPECT_EQ(alert_template_problem("plain text, {not a template}"), "");
  EXPECT_EQ(alert_template_problem("{{ $labels.replica }} at {{ $value | humanizePercentage }}"),
            "");
  EXPECT_EQ(alert_template_problem(R"({{ printf "%.2f" $value }} and {{ .Labels.x }})"), "");
  EXPECT_EQ(alert_template_problem("{{ $labels.route } is busy"),
            "'{{ $labels.route } is busy' has a '{{' without its '}}'");
  EXPECT_NE(alert_template_problem("{{ $value | humanise }}").find("is not a template"),
            std::string::npos);
  EXPECT_NE(alert_template_problem("{{ $labels.x | humanize }}").find("is not a template"),
            std::string::npos);
}

}  // namespace
}  // namespace flotilla::promql
