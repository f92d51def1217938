// Walks the tree: selectors read the store, functions and operators combine vectors.
#include "observe/alerts/evaluator.hpp"

#include <cmath>
#include <vector>

#include "observe/alerts/label_set.hpp"
#include "observe/alerts/range_functions.hpp"
#include "observe/alerts/vector_ops.hpp"

namespace flotilla::observe {

using promql::Aggregate;
using promql::Binary;
using promql::Call;
using promql::Expr;
using promql::Function;
using promql::LabelMatcher;
using promql::MatchOp;
using promql::NumberLiteral;
using promql::Selector;

namespace {

bool selects(const Selector& selector, const Labels& labels) {
  static const std::string kEmpty;
  if (!selector.name.empty()) {
    const std::string* name = find_label(labels, kMetricNameLabel);
    if (name == nullptr || *name != selector.name) return false;
  }
  for (const LabelMatcher& matcher : selector.matchers) {
    const std::string* value = find_label(labels, matcher.name);
    if (!matcher.matches(value != nullptr ? *value : kEmpty)) return false;
  }
  return true;
}

class Evaluation {
 public:
  Evaluation(const SeriesStore& store, std::int64_t time_ms) : store_(store), time_ms_(time_ms) {}

  Value eval(const Expr& expr) {
    return std::visit([&](const auto& node) { return eval_node(node); }, expr.node);
  }

 private:
  Value eval_node(const NumberLiteral& number) { return Value{true, number.value, {}}; }

  Value eval_node(const Selector& selector) {
    Value out;
    for (const auto& [key, series] : store_.series()) {
      if (!selects(selector, series.labels)) continue;
      const Point& last = series.points.back();
      if (last.time_ms != store_.latest_time() || last.time_ms > time_ms_) continue;
      out.vector.push_back(VectorElement{series.labels, last.value});
    }
    return out;
  }

  Value eval_node(const Call& call) {
    switch (call.function) {
      case Function::histogram_quantile:
        return Value{false, 0,
                     histogram_quantile(eval(*call.args[0]).scalar, eval(*call.args[1]).vector)};
      case Function::abs:
      case Function::ceil:
      case Function::floor:
        return map_values(eval(*call.args[0]), [&](double v) {
          return call.function == Function::abs    ? std::fabs(v)
                 : call.function == Function::ceil ? std::ceil(v)
                                                   : std::floor(v);
        });
      case Function::clamp_min:
      case Function::clamp_max: {
        const double bound = eval(*call.args[1]).scalar;
        return map_values(eval(*call.args[0]), [&](double v) {
          return call.function == Function::clamp_min ? std::fmax(v, bound) : std::fmin(v, bound);
        });
      }
      case Function::absent:
        return absent(*call.args[0]);
      case Function::vector:
        return Value{false, 0, {VectorElement{{}, eval(*call.args[0]).scalar}}};
      case Function::time:
        return Value{true, static_cast<double>(time_ms_) / 1000.0, {}};
      default:
        return range_function(call);
    }
  }

  Value eval_node(const Aggregate& aggregate) {
    return Value{false, 0, apply_aggregate(aggregate, eval(*aggregate.operand).vector)};
  }

  Value eval_node(const Binary& binary) {
    Value lhs = eval(*binary.lhs);
    Value rhs = eval(*binary.rhs);
    return apply_binary(binary, std::move(lhs), std::move(rhs));
  }

  template <class F>
  static Value map_values(Value in, F f) {
    for (VectorElement& element : in.vector) {
      drop_label(element.labels, kMetricNameLabel);
      element.value = f(element.value);
    }
    return in;
  }

  // absent(x): 1 with the equality matchers' labels when x selects nothing, else nothing.
  Value absent(const Expr& argument) {
    Value out;
    if (!eval(argument).vector.empty()) return out;
    VectorElement element{{}, 1};
    if (const auto* selector = std::get_if<Selector>(&argument.node)) {
      for (const LabelMatcher& matcher : selector->matchers) {
        if (matcher.op == MatchOp::equal && matcher.name != kMetricNameLabel) {
          set_label(element.labels, matcher.name, matcher.value);
        }
      }
    }
    out.vector.push_back(std::move(element));
    return out;
  }

  Value range_function(const Call& call) {
    const auto& selector = std::get<Selector>(call.args[0]->node);
    const std::int64_t start = time_ms_ - selector.range_ms;
    Value out;
    std::vector<Point> window;
    for (const auto& [key, series] : store_.series()) {
      if (!selects(selector, series.labels)) continue;
      window.clear();
      for (const Point& point : series.points) {
        if (point.time_ms > start && point.time_ms <= time_ms_) window.push_back(point);
      }
      const auto value = apply_range_function(call.function, window, start, time_ms_);
      if (!value) continue;
      Labels labels = series.labels;
      drop_label(labels, kMetricNameLabel);
      out.vector.push_back(VectorElement{std::move(labels), *value});
    }
    return out;
  }

  const SeriesStore& store_;
  std::int64_t time_ms_;
};

}  // namespace

EvalResult evaluate(const Expr& expr, const SeriesStore& store, std::int64_t time_ms) {
  EvalResult result;
  try {
    result.value = Evaluation(store, time_ms).eval(expr);
  } catch (const EvalError& e) {
    result.error = e.what();
  }
  return result;
}

}  // namespace flotilla::observe
