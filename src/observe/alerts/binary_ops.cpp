// Binary operators with PromQL's rules: scalar/vector arithmetic, comparisons as filters (or 0/1
// with `bool`), one-to-one vector matching on all labels but the name (or on()/ignoring()),
// and the set operators and/or/unless.
#include <cmath>
#include <map>

#include "observe/alerts/label_set.hpp"
#include "observe/alerts/vector_ops.hpp"

namespace flotilla::observe {

using promql::Binary;
using promql::BinaryOp;
using promql::is_comparison;
using promql::is_set_operator;
using promql::VectorMatching;

namespace {

// {value, keep}: for a comparison, value is the left operand and keep the outcome.
std::pair<double, bool> combine(BinaryOp op, double lhs, double rhs) {
  switch (op) {
    case BinaryOp::add:
      return {lhs + rhs, true};
    case BinaryOp::sub:
      return {lhs - rhs, true};
    case BinaryOp::mul:
      return {lhs * rhs, true};
    case BinaryOp::div:
      return {lhs / rhs, true};
    case BinaryOp::mod:
      return {std::fmod(lhs, rhs), true};
    case BinaryOp::pow:
      return {std::pow(lhs, rhs), true};
    case BinaryOp::eq:
      return {lhs, lhs == rhs};
    case BinaryOp::ne:
      return {lhs, lhs != rhs};
    case BinaryOp::gt:
      return {lhs, lhs > rhs};
    case BinaryOp::lt:
      return {lhs, lhs < rhs};
    case BinaryOp::ge:
      return {lhs, lhs >= rhs};
    case BinaryOp::le:
      return {lhs, lhs <= rhs};
    default:
      throw EvalError("set operators need two vectors");
  }
}

// The labels two elements must share to match.
Labels signature(const VectorMatching& matching, const Labels& labels) {
  if (matching.on) return keep_only(labels, matching.labels);
  Labels out = drop_all(labels, matching.labels);
  drop_label(out, kMetricNameLabel);
  return out;
}

Value scalar_scalar(const Binary& binary, double lhs, double rhs) {
  auto [value, keep] = combine(binary.op, lhs, rhs);
  if (is_comparison(binary.op)) value = keep ? 1 : 0;  // the parser demands `bool` here
  return Value{true, value, {}};
}

Value vector_scalar(const Binary& binary, InstantVector vector, double scalar, bool scalar_left) {
  Value out;
  const bool comparison = is_comparison(binary.op);
  for (VectorElement& element : vector) {
    const double lhs = scalar_left ? scalar : element.value;
    const double rhs = scalar_left ? element.value : scalar;
    auto [value, keep] = combine(binary.op, lhs, rhs);
    if (comparison) {
      if (binary.return_bool) {
        value = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      } else {
        value = element.value;  // a filter keeps the vector's own value, whichever side it is on
      }
    }
    if (!comparison || binary.return_bool) drop_label(element.labels, kMetricNameLabel);
    element.value = value;
    out.vector.push_back(std::move(element));
  }
  return out;
}

Value set_operation(const Binary& binary, InstantVector lhs, InstantVector rhs) {
  std::map<std::string, bool> right;
  for (const VectorElement& element : rhs) {
    right[labels_key(signature(binary.matching, element.labels))] = true;
  }
  Value out;
  std::map<std::string, bool> left;
  for (VectorElement& element : lhs) {
    const std::string key = labels_key(signature(binary.matching, element.labels));
    left[key] = true;
    const bool in_right = right.count(key) > 0;
    if (binary.op == BinaryOp::lor || (binary.op == BinaryOp::land) == in_right) {
      out.vector.push_back(std::move(element));
    }
  }
  if (binary.op == BinaryOp::lor) {
    for (VectorElement& element : rhs) {
      if (left.count(labels_key(signature(binary.matching, element.labels))) == 0) {
        out.vector.push_back(std::move(element));
      }
    }
  }
  return out;
}

Value vector_vector(const Binary& binary, InstantVector lhs, InstantVector rhs) {
  if (is_set_operator(binary.op)) return set_operation(binary, std::move(lhs), std::move(rhs));
  std::map<std::string, const VectorElement*> right;
  for (const VectorElement& element : rhs) {
    const std::string key = labels_key(signature(binary.matching, element.labels));
    if (!right.emplace(key, &element).second) {
      throw EvalError("found duplicate series for the match group " + key +
                      " on the right hand-side of the operation");
    }
  }
  Value out;
  std::map<std::string, bool> matched;
  const bool comparison = is_comparison(binary.op);
  for (VectorElement& element : lhs) {
    const std::string key = labels_key(signature(binary.matching, element.labels));
    const auto partner = right.find(key);
    if (partner == right.end()) continue;
    if (!matched.emplace(key, true).second) {
      throw EvalError("multiple matches for labels " + key +
                      ": many-to-one matching is not supported");
    }
    auto [value, keep] = combine(binary.op, element.value, partner->second->value);
    if (comparison && binary.return_bool) {
      value = keep ? 1 : 0;
    } else if (comparison && !keep) {
      continue;
    }
    Labels labels = std::move(element.labels);
    if (!comparison || binary.return_bool) drop_label(labels, kMetricNameLabel);
    if (binary.matching.on) {
      labels = keep_only(labels, binary.matching.labels);
    } else {
      labels = drop_all(labels, binary.matching.labels);
    }
    out.vector.push_back(VectorElement{std::move(labels), value});
  }
  return out;
}

}  // namespace

Value apply_binary(const Binary& binary, Value lhs, Value rhs) {
  if (lhs.is_scalar && rhs.is_scalar) return scalar_scalar(binary, lhs.scalar, rhs.scalar);
  if (rhs.is_scalar) return vector_scalar(binary, std::move(lhs.vector), rhs.scalar, false);
  if (lhs.is_scalar) return vector_scalar(binary, std::move(rhs.vector), lhs.scalar, true);
  return vector_vector(binary, std::move(lhs.vector), std::move(rhs.vector));
}

}  // namespace flotilla::observe
