// The functions over a window of one series' points: rate, irate, increase, delta and the
// *_over_time family, computed the way Prometheus computes them (counter resets, extrapolation
// to the window's edges). Pure functions of the points; nothing here knows labels or time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "observe/alerts/series_store.hpp"
#include "promql/expr.hpp"

namespace flotilla::observe {

// The value of `function` over `points` (those inside (start_ms, end_ms], oldest first), or
// nothing when the window has too few points (rate needs two), like an absent series in
// Prometheus.
std::optional<double> apply_range_function(promql::Function function, std::span<const Point> points,
                                           std::int64_t start_ms, std::int64_t end_ms);

}  // namespace flotilla::observe
