// The one entry point to the alert-expression parser, shared by the config loader (to report a
// bad `alerts.rules[].expr` as FILE:LINE:COL) and observe's alert engine. Standard library only;
// parsing and type checking only, never evaluation.
// The language is a PromQL subset, so every expression accepted here means the same in Prometheus.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "promql/expr.hpp"

namespace flotilla::promql {

struct ExprParseResult {
  ExprPtr expr;                  // set on success
  std::string error;             // on failure: what is wrong, e.g. "expected ')' ..."
  std::size_t error_offset = 0;  // on failure: byte offset into the text
  bool ok() const { return expr != nullptr; }
};

// Parses and type-checks `text`; the result is a scalar or an instant vector expression.
ExprParseResult parse_alert_expr(std::string_view text);

}  // namespace flotilla::promql
