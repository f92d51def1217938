#include "promql/expr.hpp"

#include <algorithm>

namespace flotilla::promql {

bool LabelMatcher::matches(const std::string& label_value) const {
  switch (op) {
    case MatchOp::equal:
      return label_value == value;
    case MatchOp::not_equal:
      return label_value != value;
    case MatchOp::regex:
      return std::regex_match(label_value, *regex);
    case MatchOp::not_regex:
      return !std::regex_match(label_value, *regex);
  }
  return false;
}

bool is_comparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::eq:
    case BinaryOp::ne:
    case BinaryOp::gt:
    case BinaryOp::lt:
    case BinaryOp::ge:
    case BinaryOp::le:
      return true;
    default:
      return false;
  }
}

bool is_set_operator(BinaryOp op) {
  return op == BinaryOp::land || op == BinaryOp::lor || op == BinaryOp::lunless;
}

std::int64_t longest_range_ms(const Expr& expr) {
  return std::visit(
      [](const auto& node) -> std::int64_t {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, Selector>) {
          return node.range_ms;
        } else if constexpr (std::is_same_v<T, Call>) {
          std::int64_t longest = 0;
          for (const ExprPtr& arg : node.args) longest = std::max(longest, longest_range_ms(*arg));
          return longest;
        } else if constexpr (std::is_same_v<T, Aggregate>) {
          return longest_range_ms(*node.operand);
        } else if constexpr (std::is_same_v<T, Binary>) {
          return std::max(longest_range_ms(*node.lhs), longest_range_ms(*node.rhs));
        } else {
          return 0;
        }
      },
      expr.node);
}

}  // namespace flotilla::promql
