// The syntax tree of an alert expression: the PromQL subset flotilla evaluates itself (so the
// same text works in Prometheus). Data only, standard library only; parse_alert_expr.hpp builds
// it, observe/alerts/evaluator.hpp walks it. Never evaluates anything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <variant>
#include <vector>

namespace flotilla::promql {

// What a node evaluates to. Range vectors exist only as arguments of range functions.
enum class ExprType { scalar, vector, range };

enum class MatchOp { equal, not_equal, regex, not_regex };

struct LabelMatcher {
  std::string name;  // "__name__" matches the metric name
  MatchOp op = MatchOp::equal;
  std::string value;
  std::shared_ptr<const std::regex> regex;  // set for regex / not_regex; fully anchored like RE2
  bool matches(const std::string& label_value) const;
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct NumberLiteral {
  double value = 0;
};

// `name{matchers}` or `name{matchers}[range]`.
struct Selector {
  std::string name;  // empty when only matchers are given
  std::vector<LabelMatcher> matchers;
  std::int64_t range_ms = 0;  // > 0: a range selector
};

enum class Function {
  rate,
  irate,
  increase,
  delta,
  avg_over_time,
  min_over_time,
  max_over_time,
  sum_over_time,
  count_over_time,
  last_over_time,
  histogram_quantile,
  abs,
  ceil,
  floor,
  absent,
  clamp_min,
  clamp_max,
  vector,
  time,
};

struct Call {
  Function function = Function::rate;
  std::vector<ExprPtr> args;
};

enum class AggregateOp { sum, min, max, avg, count };

struct Aggregate {
  AggregateOp op = AggregateOp::sum;
  std::vector<std::string> grouping;  // `by (...)` labels, or `without (...)` labels
  bool without = false;
  ExprPtr operand;
};

enum class BinaryOp {
  add,
  sub,
  mul,
  div,
  mod,
  pow,
  eq,
  ne,
  gt,
  lt,
  ge,
  le,
  land,
  lor,
  lunless,
};

// Which labels pair up two vector elements: `on(labels)`, or all but `ignoring(labels)`
// (plain `a / b` is ignoring() with no labels). The metric name never takes part.
struct VectorMatching {
  bool on = false;
  std::vector<std::string> labels;
};

struct Binary {
  BinaryOp op = BinaryOp::add;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;  // comparison with `bool`: 0/1 instead of filtering
  VectorMatching matching;
};

struct Expr {
  std::variant<NumberLiteral, Selector, Call, Aggregate, Binary> node;
  ExprType type = ExprType::vector;
  std::size_t offset = 0;  // byte offset of the node's first character in the text
};

bool is_comparison(BinaryOp op);
bool is_set_operator(BinaryOp op);

// The longest range any selector in `expr` reads, in milliseconds (0 when none).
std::int64_t longest_range_ms(const Expr& expr);

}  // namespace flotilla::promql
