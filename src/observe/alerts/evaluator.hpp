// Evaluates a parsed alert expression at one instant against the SeriesStore, with PromQL's
// semantics for the subset parse_alert_expr accepts. Pure: no clock, no I/O; an error (e.g. a
// many-to-many match) is returned as text, like Prometheus' rule evaluation errors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "observe/alerts/series_store.hpp"
#include "observe/sample.hpp"
#include "promql/expr.hpp"

namespace flotilla::observe {

struct VectorElement {
  Labels labels;  // "__name__" kept where PromQL keeps it (selectors, comparison filters)
  double value = 0;
};
using InstantVector = std::vector<VectorElement>;

// A scalar or an instant vector (range vectors never escape function arguments).
struct Value {
  bool is_scalar = false;
  double scalar = 0;
  InstantVector vector;
};

struct EvalResult {
  Value value;
  std::string error;  // non-empty: the evaluation failed and `value` means nothing
  bool ok() const { return error.empty(); }
};

// `time_ms` is the evaluation instant, normally store.latest_time().
EvalResult evaluate(const promql::Expr& expr, const SeriesStore& store, std::int64_t time_ms);

}  // namespace flotilla::observe
