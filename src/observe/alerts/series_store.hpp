// The alert evaluator's short memory: every series of the MetricsView samples taken at each
// evaluation, kept only as long as the longest range any rule reads. Owns no clock: callers
// pass the sample time, so tests drive it with synthetic times.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "observe/sample.hpp"

namespace flotilla::observe {

struct Point {
  std::int64_t time_ms = 0;
  double value = 0;
};

struct StoredSeries {
  Labels labels;             // "__name__" included
  std::deque<Point> points;  // oldest first
};

class SeriesStore {
 public:
  // Points older than `retention_ms` before the newest sample are dropped.
  explicit SeriesStore(std::int64_t retention_ms) : retention_ms_(retention_ms) {}

  // Records one scrape taken at `time_ms` (must not go backwards; an older time is ignored).
  void append(std::int64_t time_ms, const MetricsView& view);

  // Time of the newest scrape; a series is "present" (in instant vectors) only if that scrape
  // had it — a series that disappears ends at once, like Prometheus' staleness markers.
  std::int64_t latest_time() const { return latest_ms_; }
  bool empty() const { return !has_samples_; }
  const std::map<std::string, StoredSeries>& series() const { return series_; }
  std::int64_t retention_ms() const { return retention_ms_; }

 private:
  std::int64_t retention_ms_;
  std::int64_t latest_ms_ = 0;
  bool has_samples_ = false;
  std::map<std::string, StoredSeries> series_;  // by labels_key(labels)
};

}  // namespace flotilla::observe
