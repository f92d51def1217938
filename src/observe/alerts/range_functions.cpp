#include "observe/alerts/range_functions.hpp"

#include <algorithm>

namespace flotilla::observe {

using promql::Function;

namespace {

// Prometheus' extrapolatedRate (promql/functions.go): the difference between the first and last
// point (plus every counter reset's lost value), extrapolated to the window edges when the
// points stop short of them by less than 1.1 average intervals, else by half an interval;
// a counter is never extrapolated below zero.
std::optional<double> extrapolated(std::span<const Point> points, std::int64_t start_ms,
                                   std::int64_t end_ms, bool is_counter, bool is_rate) {
  if (points.size() < 2) return std::nullopt;
  const Point& first = points.front();
  const Point& last = points.back();
  double result = last.value - first.value;
  if (is_counter) {
    double previous = first.value;
    for (const Point& point : points.subspan(1)) {
      if (point.value < previous) result += previous;  // a reset: the counter restarted at 0
      previous = point.value;
    }
  }
  const double range_seconds = static_cast<double>(end_ms - start_ms) / 1000.0;
  double to_start = static_cast<double>(first.time_ms - start_ms) / 1000.0;
  const double to_end = static_cast<double>(end_ms - last.time_ms) / 1000.0;
  const double sampled = static_cast<double>(last.time_ms - first.time_ms) / 1000.0;
  const double average_interval = sampled / static_cast<double>(points.size() - 1);
  if (is_counter && result > 0 && first.value >= 0) {
    const double to_zero = sampled * (first.value / result);
    to_start = std::min(to_start, to_zero);
  }
  const double threshold = average_interval * 1.1;
  double interval = sampled;
  interval += to_start < threshold ? to_start : average_interval / 2;
  interval += to_end < threshold ? to_end : average_interval / 2;
  result *= interval / sampled;
  if (is_rate) result /= range_seconds;
  return result;
}

}  // namespace

std::optional<double> apply_range_function(Function function, std::span<const Point> points,
                                           std::int64_t start_ms, std::int64_t end_ms) {
  if (points.empty()) return std::nullopt;
  switch (function) {
    case Function::rate:
      return extrapolated(points, start_ms, end_ms, true, true);
    case Function::increase:
      return extrapolated(points, start_ms, end_ms, true, false);
    case Function::delta:
      return extrapolated(points, start_ms, end_ms, false, false);
    case Function::irate: {
      if (points.size() < 2) return std::nullopt;
      const Point& before = points[points.size() - 2];
      const Point& last = points.back();
      const double change = last.value < before.value ? last.value : last.value - before.value;
      const double seconds = static_cast<double>(last.time_ms - before.time_ms) / 1000.0;
      if (seconds <= 0) return std::nullopt;
      return change / seconds;
    }
    case Function::avg_over_time:
    case Function::sum_over_time: {
      double sum = 0;
      for (const Point& point : points) sum += point.value;
      return function == Function::sum_over_time ? sum : sum / static_cast<double>(points.size());
    }
    case Function::min_over_time:
    case Function::max_over_time: {
      double best = points.front().value;
      for (const Point& point : points) {
        best = function == Function::min_over_time ? std::min(best, point.value)
                                                   : std::max(best, point.value);
      }
      return best;
    }
    case Function::count_over_time:
      return static_cast<double>(points.size());
    case Function::last_over_time:
      return points.back().value;
    default:
      return std::nullopt;
  }
}

}  // namespace flotilla::observe
