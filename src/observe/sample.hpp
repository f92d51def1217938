// The flat, Prometheus-shaped view of every metric at one instant: what a scrape renders and what
// the alert evaluator stores per evaluation. Data only. Histograms appear as their `_bucket`
// (with an `le` label), `_sum` and `_count` series, exactly as in the text exposition format.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace flotilla::observe {

// Sorted by label name; no duplicates.
using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  std::string
      name;  // full series name: "http_requests_total", "http_request_duration_seconds_bucket"
  Labels labels;
  double value = 0;
};

enum class MetricType { counter, gauge, histogram };

struct MetricFamily {
  std::string name;  // base name: "http_request_duration_seconds"
  std::string help;
  MetricType type = MetricType::gauge;
  std::vector<Sample> samples;
};

// An empty family (samples are appended by whoever builds the view).
inline MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

// Everything a scrape would show, at one moment.
using MetricsView = std::vector<MetricFamily>;

}  // namespace flotilla::observe
