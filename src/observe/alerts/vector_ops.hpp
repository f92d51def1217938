// The evaluator's operations on whole instant vectors: binary operators with PromQL's one-to-one
// label matching and set operators, aggregations with by/without, histogram_quantile.
// Internal to the alerts module; errors are thrown as EvalError and caught by evaluate().
#pragma once

#include <stdexcept>

#include "observe/alerts/evaluator.hpp"

namespace flotilla::observe {

struct EvalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Value apply_binary(const promql::Binary& binary, Value lhs, Value rhs);
InstantVector apply_aggregate(const promql::Aggregate& aggregate, const InstantVector& input);
InstantVector histogram_quantile(double quantile, const InstantVector& buckets);

}  // namespace flotilla::observe
