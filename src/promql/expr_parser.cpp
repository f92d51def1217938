// Recursive-descent parser for the PromQL subset, with PromQL's operator precedence and its type
// rules (range vectors only inside range functions, `bool` between scalars...). Anything PromQL
// has that flotilla cannot evaluate is refused here with a message, never half-evaluated later.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "promql/expr_lexer.hpp"
#include "promql/parse_alert_expr.hpp"
#include "promql/prom_duration.hpp"

namespace flotilla::promql {
namespace {

struct FunctionInfo {
  std::string_view name;
  Function function;
  std::vector<ExprType> args;
  ExprType result;
};

const std::vector<FunctionInfo>& functions() {
  using enum ExprType;
  static const std::vector<FunctionInfo> table{
      {"rate", Function::rate, {range}, vector},
      {"irate", Function::irate, {range}, vector},
      {"increase", Function::increase, {range}, vector},
      {"delta", Function::delta, {range}, vector},
      {"avg_over_time", Function::avg_over_time, {range}, vector},
      {"min_over_time", Function::min_over_time, {range}, vector},
      {"max_over_time", Function::max_over_time, {range}, vector},
      {"sum_over_time", Function::sum_over_time, {range}, vector},
      {"count_over_time", Function::count_over_time, {range}, vector},
      {"last_over_time", Function::last_over_time, {range}, vector},
      {"histogram_quantile", Function::histogram_quantile, {scalar, vector}, vector},
      {"abs", Function::abs, {vector}, vector},
      {"ceil", Function::ceil, {vector}, vector},
      {"floor", Function::floor, {vector}, vector},
      {"absent", Function::absent, {vector}, vector},
      {"clamp_min", Function::clamp_min, {vector, scalar}, vector},
      {"clamp_max", Function::clamp_max, {vector, scalar}, vector},
      {"vector", Function::vector, {scalar}, vector},
      {"time", Function::time, {}, scalar},
  };
  return table;
}

constexpr std::array<std::pair<std::string_view, AggregateOp>, 5> kAggregates{{
    {"sum", AggregateOp::sum},
    {"min", AggregateOp::min},
    {"max", AggregateOp::max},
    {"avg", AggregateOp::avg},
    {"count", AggregateOp::count},
}};

// PromQL aggregations flotilla does not evaluate: refused by name rather than misread as metrics.
constexpr std::array<std::string_view, 7> kUnsupportedAggregates{
    "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group"};

constexpr std::array<std::string_view, 11> kKeywords{
    "by",  "without", "on",     "ignoring", "group_left", "group_right",
    "and", "or",      "unless", "bool",     "offset"};

std::string type_name(ExprType type) {
  switch (type) {
    case ExprType::scalar:
      return "a scalar";
    case ExprType::vector:
      return "an instant vector";
    case ExprType::range:
      return "a range vector";
  }
  return "?";
}

struct OperatorInfo {
  BinaryOp op;
  int precedence;  // PromQL's: or < and/unless < comparisons < + - < * / % < ^
  bool right_associative = false;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) { advance(); }

  ExprPtr parse() {
    ExprPtr expr = parse_expr(0);
    if (token_.kind != TokenKind::end) {
      fail(token_.offset, "unexpected " + describe(token_) + " after a complete expression");
    }
    if (expr->type == ExprType::range) {
      fail(expr->offset,
           "a range vector cannot be a rule's result; wrap it in a function such as "
           "rate()");
    }
    return expr;
  }

 private:
  [[noreturn]] static void fail(std::size_t offset, const std::string& message) {
    throw ExprSyntaxError(offset, message);
  }

  void advance() { token_ = lexer_.next(); }

  bool at_identifier(std::string_view text) const {
    return token_.kind == TokenKind::identifier && token_.text == text;
  }

  void expect(TokenKind kind, std::string_view what, std::string_view context) {
    if (token_.kind != kind) {
      fail(token_.offset, "expected " + std::string(what) + " " + std::string(context) + ", got " +
                              describe(token_));
    }
    advance();
  }

  static ExprPtr make(auto node, ExprType type, std::size_t offset) {
    auto expr = std::make_shared<Expr>();
    expr->node = std::move(node);
    expr->type = type;
    expr->offset = offset;
    return expr;
  }

  std::optional<OperatorInfo> binary_operator() const {
    switch (token_.kind) {
      case TokenKind::plus:
        return OperatorInfo{BinaryOp::add, 4};
      case TokenKind::minus:
        return OperatorInfo{BinaryOp::sub, 4};
      case TokenKind::star:
        return OperatorInfo{BinaryOp::mul, 5};
      case TokenKind::slash:
        return OperatorInfo{BinaryOp::div, 5};
      case TokenKind::percent:
        return OperatorInfo{BinaryOp::mod, 5};
      case TokenKind::caret:
        return OperatorInfo{BinaryOp::pow, 6, true};
      case TokenKind::equal:
        return OperatorInfo{BinaryOp::eq, 3};
      case TokenKind::not_equal:
        return OperatorInfo{BinaryOp::ne, 3};
      case TokenKind::greater:
        return OperatorInfo{BinaryOp::gt, 3};
      case TokenKind::less:
        return OperatorInfo{BinaryOp::lt, 3};
      case TokenKind::greater_eq:
        return OperatorInfo{BinaryOp::ge, 3};
      case TokenKind::less_eq:
        return OperatorInfo{BinaryOp::le, 3};
      case TokenKind::identifier:
        if (token_.text == "and") return OperatorInfo{BinaryOp::land, 2};
        if (token_.text == "unless") return OperatorInfo{BinaryOp::lunless, 2};
        if (token_.text == "or") return OperatorInfo{BinaryOp::lor, 1};
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

  ExprPtr parse_expr(int min_precedence) {
    ExprPtr lhs = parse_unary();
    for (;;) {
      const std::optional<OperatorInfo> info = binary_operator();
      if (!info || info->precedence < min_precedence) return lhs;
      const std::size_t op_offset = token_.offset;
      const std::string op_text = token_.text;
      advance();
      Binary binary;
      binary.op = info->op;
      parse_modifiers(binary, op_text);
      ExprPtr rhs = parse_expr(info->right_associative ? info->precedence : info->precedence + 1);
      lhs = make_binary(std::move(binary), std::move(lhs), std::move(rhs), op_text, op_offset);
    }
  }

  void parse_modifiers(Binary& binary, const std::string& op_text) {
    if (at_identifier("bool")) {
      if (!is_comparison(binary.op)) {
        fail(token_.offset, "'bool' only applies to comparison operators, not '" + op_text + "'");
      }
      binary.return_bool = true;
      advance();
    }
    if (at_identifier("on") || at_identifier("ignoring")) {
      binary.matching.on = token_.text == "on";
      advance();
      binary.matching.labels = parse_label_list("after 'on'/'ignoring'");
    }
    if (at_identifier("group_left") || at_identifier("group_right")) {
      fail(token_.offset, "'" + token_.text + "' (many-to-one matching) is not supported");
    }
  }

  ExprPtr make_binary(Binary binary, ExprPtr lhs, ExprPtr rhs, const std::string& op_text,
                      std::size_t op_offset) {
    for (const ExprPtr& side : {lhs, rhs}) {
      if (side->type == ExprType::range) {
        fail(side->offset, "a range vector cannot be an operand of '" + op_text +
                               "'; wrap it in a function such as rate()");
      }
    }
    const bool both_scalar = lhs->type == ExprType::scalar && rhs->type == ExprType::scalar;
    const bool both_vector = lhs->type == ExprType::vector && rhs->type == ExprType::vector;
    if (is_set_operator(binary.op) && !both_vector) {
      fail(op_offset, "'" + op_text + "' needs an instant vector on both sides");
    }
    if (is_comparison(binary.op) && both_scalar && !binary.return_bool) {
      fail(op_offset, "a comparison between two scalars needs the 'bool' modifier");
    }
    const bool has_matching = binary.matching.on || !binary.matching.labels.empty();
    if (has_matching && !both_vector) {
      fail(op_offset, "'on'/'ignoring' only apply between two instant vectors");
    }
    const ExprType type = both_scalar ? ExprType::scalar : ExprType::vector;
    const std::size_t offset = lhs->offset;
    binary.lhs = std::move(lhs);
    binary.rhs = std::move(rhs);
    return make(std::move(binary), type, offset);
  }

  ExprPtr parse_unary() {
    if (token_.kind == TokenKind::minus || token_.kind == TokenKind::plus) {
      const bool negate = token_.kind == TokenKind::minus;
      const std::size_t offset = token_.offset;
      advance();
      ExprPtr operand = parse_expr(6);  // binds tighter than * but looser than ^: -2^2 = -4
      if (operand->type == ExprType::range) {
        fail(operand->offset, "a range vector cannot be negated");
      }
      if (!negate) return operand;
      if (const auto* number = std::get_if<NumberLiteral>(&operand->node)) {
        return make(NumberLiteral{-number->value}, ExprType::scalar, offset);
      }
      Binary binary;
      binary.op = BinaryOp::mul;
      binary.lhs = make(NumberLiteral{-1}, ExprType::scalar, offset);
      binary.rhs = operand;
      return make(std::move(binary), operand->type, offset);
    }
    return parse_primary();
  }

  ExprPtr parse_primary() {
    const Token token = token_;
    switch (token.kind) {
      case TokenKind::number:
        return parse_number();
      case TokenKind::left_paren: {
        advance();
        ExprPtr inner = parse_expr(0);
        expect(TokenKind::right_paren, "')'", "to close '('");
        return inner;
      }
      case TokenKind::left_brace:
        return parse_selector(std::string(), token.offset);
      case TokenKind::identifier:
        return parse_identifier();
      case TokenKind::string:
        fail(token.offset, "a string is only allowed as a label value");
      default:
        fail(token.offset, "expected an expression, got " + describe(token));
    }
  }

  ExprPtr parse_number() {
    const Token token = token_;
    char* end = nullptr;
    const double value = std::strtod(token.text.c_str(), &end);
    if (end != token.text.c_str() + token.text.size()) {
      fail(token.offset, "invalid number '" + token.text + "'");
    }
    advance();
    return make(NumberLiteral{value}, ExprType::scalar, token.offset);
  }

  ExprPtr parse_identifier() {
    const Token name = token_;
    for (const auto& [text, op] : kAggregates) {
      if (name.text == text) return parse_aggregate(op, name);
    }
    std::string lower = name.text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "inf" || lower == "nan") {
      advance();
      return make(NumberLiteral{lower == "inf" ? HUGE_VAL : std::nan("")}, ExprType::scalar,
                  name.offset);
    }
    if (std::find(kKeywords.begin(), kKeywords.end(), name.text) != kKeywords.end()) {
      fail(name.offset, "unexpected keyword '" + name.text + "'");
    }
    advance();
    if (token_.kind == TokenKind::left_paren) {
      if (std::find(kUnsupportedAggregates.begin(), kUnsupportedAggregates.end(), name.text) !=
          kUnsupportedAggregates.end()) {
        fail(name.offset, "aggregation '" + name.text + "' is not supported");
      }
      return parse_call(name);
    }
    return parse_selector(name.text, name.offset);
  }

  std::vector<std::string> parse_label_list(std::string_view context) {
    expect(TokenKind::left_paren, "'('", context);
    std::vector<std::string> labels;
    while (token_.kind != TokenKind::right_paren) {
      if (token_.kind != TokenKind::identifier || token_.text.find(':') != std::string::npos) {
        fail(token_.offset, "expected a label name, got " + describe(token_));
      }
      labels.push_back(token_.text);
      advance();
      if (token_.kind == TokenKind::comma) {
        advance();
      } else if (token_.kind != TokenKind::right_paren) {
        fail(token_.offset, "expected ',' or ')' in a label list, got " + describe(token_));
      }
    }
    advance();
    return labels;
  }

  ExprPtr parse_aggregate(AggregateOp op, const Token& name) {
    advance();
    Aggregate aggregate;
    aggregate.op = op;
    bool grouped = false;
    auto grouping = [&] {
      if (!at_identifier("by") && !at_identifier("without")) return;
      if (grouped) fail(token_.offset, "'" + name.text + "' has two grouping clauses");
      aggregate.without = token_.text == "without";
      advance();
      aggregate.grouping = parse_label_list("after 'by'/'without'");
      grouped = true;
    };
    grouping();
    expect(TokenKind::left_paren, "'('", "after '" + name.text + "'");
    aggregate.operand = parse_expr(0);
    expect(TokenKind::right_paren, "')'", "to close '" + name.text + "('");
    grouping();
    if (aggregate.operand->type != ExprType::vector) {
      fail(aggregate.operand->offset,
           name.text + "() expects an instant vector, got " + type_name(aggregate.operand->type));
    }
    return make(std::move(aggregate), ExprType::vector, name.offset);
  }

  ExprPtr parse_call(const Token& name) {
    const auto& table = functions();
    const auto info = std::find_if(table.begin(), table.end(),
                                   [&](const FunctionInfo& f) { return f.name == name.text; });
    if (info == table.end())
      fail(name.offset, "unknown or unsupported function '" + name.text + "'");
    advance();  // '('
    Call call;
    call.function = info->function;
    while (token_.kind != TokenKind::right_paren) {
      call.args.push_back(parse_expr(0));
      if (token_.kind == TokenKind::comma) {
        advance();
      } else if (token_.kind != TokenKind::right_paren) {
        fail(token_.offset, "expected ',' or ')' in the arguments of " + name.text + "(), got " +
                                describe(token_));
      }
    }
    const std::size_t close = token_.offset;
    advance();
    if (call.args.size() != info->args.size()) {
      fail(call.args.size() > info->args.size() ? call.args[info->args.size()]->offset : close,
           name.text + "() takes " + std::to_string(info->args.size()) + " argument" +
               (info->args.size() == 1 ? "" : "s") + ", got " + std::to_string(call.args.size()));
    }
    for (std::size_t i = 0; i < call.args.size(); ++i) {
      if (call.args[i]->type != info->args[i]) {
        std::string hint = info->args[i] == ExprType::range ? " such as x[5m]" : "";
        fail(call.args[i]->offset, name.text + "() expects " + type_name(info->args[i]) + hint +
                                       " as argument " + std::to_string(i + 1) + ", got " +
                                       type_name(call.args[i]->type));
      }
    }
    return make(std::move(call), info->result, name.offset);
  }

  ExprPtr parse_selector(std::string name, std::size_t offset) {
    Selector selector;
    selector.name = std::move(name);
    if (token_.kind == TokenKind::left_brace) parse_matchers(selector);
    if (selector.name.empty()) {
      const bool selective = std::any_of(selector.matchers.begin(), selector.matchers.end(),
                                         [](const LabelMatcher& m) { return !m.matches(""); });
      if (!selective) {
        fail(offset,
             "a selector without a metric name needs a matcher that does not match the "
             "empty string");
      }
    }
    ExprType type = ExprType::vector;
    if (token_.kind == TokenKind::left_bracket) {
      const Token duration = lexer_.next_duration();
      const std::optional<std::int64_t> ms = parse_prom_duration(duration.text);
      if (!ms) fail(duration.offset, "invalid duration '" + duration.text + "', e.g. 30s, 5m, 1h");
      if (*ms == 0) fail(duration.offset, "a range must be longer than 0s");
      selector.range_ms = *ms;
      advance();
      expect(TokenKind::right_bracket, "']'",
             "after the range duration (subqueries are not "
             "supported)");
      type = ExprType::range;
    }
    if (at_identifier("offset")) fail(token_.offset, "'offset' is not supported");
    return make(std::move(selector), type, offset);
  }

  void parse_matchers(Selector& selector) {
    advance();  // '{'
    while (token_.kind != TokenKind::right_brace) {
      if (token_.kind != TokenKind::identifier || token_.text.find(':') != std::string::npos) {
        fail(token_.offset, "expected a label name, got " + describe(token_));
      }
      LabelMatcher matcher;
      matcher.name = token_.text;
      advance();
      switch (token_.kind) {
        case TokenKind::assign:
          matcher.op = MatchOp::equal;
          break;
        case TokenKind::not_equal:
          matcher.op = MatchOp::not_equal;
          break;
        case TokenKind::regex:
          matcher.op = MatchOp::regex;
          break;
        case TokenKind::not_regex:
          matcher.op = MatchOp::not_regex;
          break;
        default:
          fail(token_.offset, "expected one of =, !=, =~, !~ after label '" + matcher.name +
                                  "', got " + describe(token_));
      }
      advance();
      if (token_.kind != TokenKind::string) {
        fail(token_.offset, "expected a quoted label value, got " + describe(token_));
      }
      matcher.value = token_.text;
      if (matcher.op == MatchOp::regex || matcher.op == MatchOp::not_regex) {
        try {
          matcher.regex = std::make_shared<const std::regex>(matcher.value, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          fail(token_.offset, "invalid regular expression \"" + matcher.value + "\": " + e.what());
        }
      }
      if (matcher.name == "__name__" && !selector.name.empty()) {
        fail(token_.offset, "the metric name is given twice");
      }
      advance();
      selector.matchers.push_back(std::move(matcher));
      if (token_.kind == TokenKind::comma) {
        advance();
      } else if (token_.kind != TokenKind::right_brace) {
        fail(token_.offset, "expected ',' or '}' after a label matcher, got " + describe(token_));
      }
    }
    advance();
  }

  ExprLexer lexer_;
  Token token_;
};

}  // namespace

ExprParseResult parse_alert_expr(std::string_view text) {
  ExprParseResult result;
  try {
    Parser parser(text);
    result.expr = parser.parse();
  } catch (const ExprSyntaxError& e) {
    result.error = e.what();
    result.error_offset = e.offset;
  }
  return result;
}

}  // namespace flotilla::promql
