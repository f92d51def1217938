// The dashboard's charts of the last minutes: one point per metrics refresh (about a second)
// with request rate by status class, error ratio, p50/p95/p99 latency and each service's
// instance counts, derived from successive gateway metrics views. Pure: the caller brings the
// time and the views; never reads a clock, a socket or a process.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "observe/sample.hpp"

namespace flotilla::dashboard {

// A service's counts at one point: ready instances, the count it is set to, and (autoscaled
// services only) what the autoscaler last asked for.
struct ServiceCount {
  std::string name;
  std::uint32_t ready = 0;
  std::uint32_t replicas = 0;
  std::optional<std::uint32_t> desired;
};

struct HistoryPoint {
  std::int64_t time_ms = 0;               // Unix time
  std::array<double, 5> rate_by_class{};  // requests/s answered 1xx .. 5xx
  std::optional<double> error_ratio;      // 5xx / all, none without requests
  std::optional<double> p50, p95, p99;    // seconds, none without requests in the window
  std::vector<ServiceCount> services;
};

// Cumulative request counters of one view: per status class, and the duration histogram's
// buckets summed over routes (upper bounds ascending, +Inf last).
struct RequestTotals {
  std::array<double, 5> by_class{};
  std::vector<std::pair<double, double>> buckets;  // (le, cumulative count)
};
RequestTotals request_totals(const observe::MetricsView& view);

// Prometheus' histogram_quantile over bucket *increases* (cumulative, +Inf last): linear
// interpolation within the bucket, the highest finite bound when it falls in +Inf. None when
// the window saw no observation.
std::optional<double> bucket_quantile(double q,
                                      const std::vector<std::pair<double, double>>& cumulative);

class TrafficHistory {
 public:
  // `capacity` points are kept; rates cover the interval since the previous add(), quantiles
  // the last `quantile_window` of adds (a steadier figure than one second's few requests).
  explicit TrafficHistory(std::size_t capacity = 600,
                          std::chrono::milliseconds quantile_window = std::chrono::seconds(5));

  void add(std::chrono::system_clock::time_point now, const observe::MetricsView& gateway,
           std::vector<ServiceCount> services);

  // Points newer than `since_ms` (all with 0), oldest first.
  std::vector<HistoryPoint> since(std::int64_t since_ms) const;
  std::size_t size() const { return points_.size(); }

 private:
  struct Raw {
    std::int64_t time_ms = 0;
    RequestTotals totals;
  };
  std::size_t capacity_;
  std::chrono::milliseconds quantile_window_;
  std::deque<Raw> raw_;  // the last quantile window's cumulative readings
  std::deque<HistoryPoint> points_;
};

nlohmann::json to_json(const HistoryPoint& point);

}  // namespace flotilla::dashboard
