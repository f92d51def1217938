// Operations on observe::Labels (a name-sorted vector of pairs) used by the evaluator and the
// alert state: lookup, sorted insert, keep/drop, and a canonical key for maps. The metric name
// travels as the label "__name__", as in Prometheus.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "observe/sample.hpp"

namespace flotilla::observe {

inline constexpr std::string_view kMetricNameLabel = "__name__";

const std::string* find_label(const Labels& labels, std::string_view name);
// Inserts or replaces, keeping the order.
void set_label(Labels& labels, std::string_view name, std::string value);
void drop_label(Labels& labels, std::string_view name);
Labels keep_only(const Labels& labels, const std::vector<std::string>& names);
Labels drop_all(const Labels& labels, const std::vector<std::string>& names);
// `{a="x", b="y"}`: unique per label set, readable in messages.
std::string labels_key(const Labels& labels);

}  // namespace flotilla::observe
