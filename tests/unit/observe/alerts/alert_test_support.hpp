// Helpers for the alerting tests: MetricsView literals and one-call expression evaluation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "observe/alerts/evaluator.hpp"
#include "observe/alerts/label_set.hpp"
#include "observe/alerts/series_store.hpp"
#include "observe/sample.hpp"
#include "promql/parse_alert_expr.hpp"

namespace flotilla::observe::testing {

// One sample: name, labels in any order, value.
inline Sample sample(std::string name, Labels labels, double value) {
  std::sort(labels.begin(), labels.end());
  return Sample{std::move(name), std::move(labels), value};
}

// A view with one family per sample (the evaluator ignores families).
inline MetricsView view(std::initializer_list<Sample> samples) {
  MetricsView out;
  for (const Sample& s : samples) out.push_back(MetricFamily{s.name, "", MetricType::gauge, {s}});
  return out;
}

inline promql::ExprPtr parse(const std::string& text) {
  promql::ExprParseResult result = promql::parse_alert_expr(text);
  EXPECT_TRUE(result.ok()) << text << ": " << result.error;
  return result.expr;
}

// Evaluates `text` at the store's latest time; fails the test on an evaluation error.
inline Value eval(const std::string& text, const SeriesStore& store) {
  const promql::ExprPtr expr = parse(text);
  if (!expr) return {};
  EvalResult result = evaluate(*expr, store, store.latest_time());
  EXPECT_TRUE(result.ok()) << text << ": " << result.error;
  return result.value;
}

// The vector's values keyed by their labels (as labels_key would print them), for EXPECT_EQ.
inline std::map<std::string, double> by_labels(const Value& value) {
  std::map<std::string, double> out;
  for (const VectorElement& element : value.vector) out[labels_key(element.labels)] = element.value;
  return out;
}

}  // namespace flotilla::observe::testing
