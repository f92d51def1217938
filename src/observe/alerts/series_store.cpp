#include "observe/alerts/series_store.hpp"

#include "observe/alerts/label_set.hpp"

namespace flotilla::observe {

void SeriesStore::append(std::int64_t time_ms, const MetricsView& view) {
  if (has_samples_ && time_ms <= latest_ms_) return;
  has_samples_ = true;
  latest_ms_ = time_ms;
  for (const MetricFamily& family : view) {
    for (const Sample& sample : family.samples) {
      Labels labels = sample.labels;
      set_label(labels, kMetricNameLabel, sample.name);
      std::string key = labels_key(labels);
      auto [it, inserted] = series_.try_emplace(std::move(key));
      if (inserted) it->second.labels = std::move(labels);
      it->second.points.push_back(Point{time_ms, sample.value});
    }
  }
  const std::int64_t oldest = time_ms - retention_ms_;
  for (auto it = series_.begin(); it != series_.end();) {
    auto& points = it->second.points;
    while (!points.empty() && points.front().time_ms <= oldest) points.pop_front();
    it = points.empty() ? series_.erase(it) : std::next(it);
  }
}

}  // namespace flotilla::observe
