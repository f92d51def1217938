// The PromQL-subset parser: what it accepts (and how it reads precedence and modifiers), and
// where it points for what it refuses.
#include <gtest/gtest.h>

#include "promql/parse_alert_expr.hpp"
#include "promql/prom_duration.hpp"

namespace flotilla::promql {
namespace {

TEST(ExprParser, AcceptsTheDefaultRulesAndCommonForms) {
  for (const char* text : {
           R"(sum(rate(http_requests_total{status=~"5.."}[5m])) > 0.1)",
           "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) "
           "> 2",
           "increase(flotilla_instance_restarts_total[15m]) > 0",
           "flotilla_instance_memory_bytes / flotilla_instance_memory_limit_bytes > 0.9",
           "sum(rate(x[1m])) by (route) / on(route) sum(rate(y[1m])) by (route)",
           "a / ignoring(status) b",
           "max without (instance) (x)",
           R"(up{job!="a", env!~"dev|test"} == 0)",
           "x > bool 1",
           "1 + 2 * 3 > bool 6",
           "-x",
           "x and y or z unless w",
           "absent(flotilla_instance_up{service=\"web\"})",
           "vector(1)",
           "count(x) >= 3",
           "avg_over_time(x[1h30m]) < 0.5",
           "x # a comment\n > 1",
           "{__name__=~\"http_.*\"}",
           "clamp_min(x, 0) ^ 2 % 3",
       }) {
    const ExprParseResult result = parse_alert_expr(text);
    EXPECT_TRUE(result.ok()) << text << ": " << result.error << " at " << result.error_offset;
  }
}

TEST(ExprParser, BuildsTheExpectedTree) {
  const ExprParseResult result =
      parse_alert_expr(R"(sum by (le) (rate(h_bucket{a="1"}[90s])) > 2)");
  ASSERT_TRUE(result.ok()) << result.error;
  const auto& top = std::get<Binary>(result.expr->node);
  EXPECT_EQ(top.op, BinaryOp::gt);
  EXPECT_EQ(std::get<NumberLiteral>(top.rhs->node).value, 2);
  const auto& sum = std::get<Aggregate>(top.lhs->node);
  EXPECT_EQ(sum.op, AggregateOp::sum);
  EXPECT_EQ(sum.grouping, std::vector<std::string>{"le"});
  const auto& rate = std::get<Call>(sum.operand->node);
  EXPECT_EQ(rate.function, Function::rate);
  const auto& selector = std::get<Selector>(rate.args[0]->node);
  EXPECT_EQ(selector.name, "h_bucket");
  EXPECT_EQ(selector.range_ms, 90'000);
  ASSERT_EQ(selector.matchers.size(), 1u);
  EXPECT_EQ(selector.matchers[0].value, "1");
  EXPECT_EQ(longest_range_ms(*result.expr), 90'000);
}

TEST(ExprParser, FollowsPromqlPrecedence) {
  // 1 + 2 * 3: the multiplication binds tighter.
  auto result = parse_alert_expr("1 + 2 * 3 > bool 6");
  ASSERT_TRUE(result.ok());
  const auto& compare = std::get<Binary>(result.expr->node);
  EXPECT_TRUE(compare.return_bool);
  const auto& add = std::get<Binary>(compare.lhs->node);
  EXPECT_EQ(add.op, BinaryOp::add);
  EXPECT_EQ(std::get<Binary>(add.rhs->node).op, BinaryOp::mul);
  // a or b and c: `and` binds tighter than `or`.
  result = parse_alert_expr("a or b and c");
  ASSERT_TRUE(result.ok());
  const auto& either = std::get<Binary>(result.expr->node);
  EXPECT_EQ(either.op, BinaryOp::lor);
  EXPECT_EQ(std::get<Binary>(either.rhs->node).op, BinaryOp::land);
  // 2 ^ 3 ^ 2 is right-associative; -2 ^ 2 is -(2 ^ 2).
  result = parse_alert_expr("2 ^ 3 ^ 2 > bool 0");
  ASSERT_TRUE(result.ok());
  const auto& power = std::get<Binary>(std::get<Binary>(result.expr->node).lhs->node);
  EXPECT_EQ(std::get<NumberLiteral>(power.lhs->node).value, 2);
  EXPECT_EQ(std::get<Binary>(power.rhs->node).op, BinaryOp::pow);
  result = parse_alert_expr("-2 ^ 2 > bool 0");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(std::get<Binary>(std::get<Binary>(result.expr->node).lhs->node).op, BinaryOp::mul);
}

TEST(ExprParser, ReadsMatchingModifiers) {
  const auto result = parse_alert_expr("a / on(service, instance) b");
  ASSERT_TRUE(result.ok());
  const auto& divide = std::get<Binary>(result.expr->node);
  EXPECT_TRUE(divide.matching.on);
  EXPECT_EQ(divide.matching.labels, (std::vector<std::string>{"service", "instance"}));
}

struct BadExpr {
  const char* text;
  std::size_t offset;
  const char* message;
};

TEST(ExprParser, PointsAtWhatIsWrong) {
  for (const BadExpr& bad : std::initializer_list<BadExpr>{
           {"", 0, "expected an expression, got the end of the expression"},
           {"rate(x) > 1", 5,
            "rate() expects a range vector such as x[5m] as argument 1, got an "
            "instant vector"},
           {"x[5m] > 1", 0,
            "a range vector cannot be an operand of '>'; wrap it in a function "
            "such as rate()"},
           {"x[5m]", 0,
            "a range vector cannot be a rule's result; wrap it in a function such as "
            "rate()"},
           {"x[5q]", 2, "invalid duration '5q', e.g. 30s, 5m, 1h"},
           {"x[5m", 4,
            "expected ']' after the range duration (subqueries are not supported), got "
            "the end of the expression"},
           {"sum(rate(x[5m]) > 1", 19,
            "expected ')' to close 'sum(', got the end of the "
            "expression"},
           {"x{a=1}", 4, "expected a quoted label value, got the number 1"},
           {"x{a~\"b\"}", 3, "unexpected character '~'"},
           {"x{a=~\"(\"}", 5, ""},  // the regex library's message follows
           {"x{a=\"b}", 4, "unterminated string"},
           {"foo(x)", 0, "unknown or unsupported function 'foo'"},
           {"topk(3, x)", 0, "aggregation 'topk' is not supported"},
           {"a / on(x) group_left b", 10, "'group_left' (many-to-one matching) is not supported"},
           {"x offset 5m", 2, "'offset' is not supported"},
           {"1 > 2", 2, "a comparison between two scalars needs the 'bool' modifier"},
           {"x + bool y", 4, "'bool' only applies to comparison operators, not '+'"},
           {"x and 1", 2, "'and' needs an instant vector on both sides"},
           {"histogram_quantile(x, y)", 19,
            "histogram_quantile() expects a scalar as argument 1, "
            "got an instant vector"},
           {"rate(x[5m], 1)", 12, "rate() takes 1 argument, got 2"},
           {"x > 1 )", 6, "unexpected ')' after a complete expression"},
           {"{a=~\".*\"}", 0,
            "a selector without a metric name needs a matcher that does not "
            "match the empty string"},
           {"x > 5m", 4, "invalid number '5m' (durations go inside [...], e.g. x[5m])"},
           {"sum by (le (x)", 11, "expected ',' or ')' in a label list, got '('"},
       }) {
    const ExprParseResult result = parse_alert_expr(bad.text);
    EXPECT_FALSE(result.ok()) << bad.text;
    EXPECT_EQ(result.error_offset, bad.offset) << bad.text << ": " << result.error;
    if (*bad.message != '\0') {
      EXPECT_EQ(result.error, bad.message) << bad.text;
    }
  }
}

TEST(PromDuration, ParsesAndFormatsLikePrometheus) {
  EXPECT_EQ(parse_prom_duration("5m"), 300'000);
  EXPECT_EQ(parse_prom_duration("1h30m"), 5'400'000);
  EXPECT_EQ(parse_prom_duration("250ms"), 250);
  EXPECT_EQ(parse_prom_duration("1d"), 86'400'000);
  EXPECT_FALSE(parse_prom_duration("5"));
  EXPECT_FALSE(parse_prom_duration("m"));
  EXPECT_FALSE(parse_prom_duration("30s1m"));  // units must go from largest to smallest
  EXPECT_FALSE(parse_prom_duration("1.5m"));
  EXPECT_EQ(format_prom_duration(300'000), "5m");
  EXPECT_EQ(format_prom_duration(90'000), "1m30s");
  EXPECT_EQ(format_prom_duration(1'500), "1s500ms");
  EXPECT_EQ(format_prom_duration(0), "0s");
  EXPECT_EQ(format_prom_duration(15 * 60'000), "15m");
}

}  // namespace
}  // namespace flotilla::promql
