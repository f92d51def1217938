// The dashboard's time series (see history.hpp): differences of cumulative counters between
// refreshes. A counter that went backwards (a reset) yields no rate for that interval rather
// than a negative one.
#include "dashboard/history.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace flotilla::dashboard {
namespace {

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

const std::string* label(const observe::Sample& sample, std::string_view name) {
  for (const auto& [key, value] : sample.labels) {
    if (key == name) return &value;
  }
  return nullptr;
}

double parse_bound(const std::string& text) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

// later - earlier per bucket; empty when a counter went backwards (a reset).
std::vector<std::pair<double, double>> bucket_increase(const RequestTotals& earlier,
                                                       const RequestTotals& later) {
  std::vector<std::pair<double, double>> out;
  for (const auto& [le, count] : later.buckets) {
    double before = 0;
    for (const auto& [le0, count0] : earlier.buckets) {
      if (le0 == le) before = count0;
    }
    if (count < before) return {};
    out.emplace_back(le, count - before);
  }
  return out;
}

}  // namespace

RequestTotals request_totals(const observe::MetricsView& view) {
  RequestTotals out;
  std::map<double, double> buckets;
  for (const observe::MetricFamily& family : view) {
    if (family.name == "http_requests_total") {
      for (const observe::Sample& sample : family.samples) {
        const std::string* status = label(sample, "status");
        if (status == nullptr || status->size() != 3 || (*status)[0] < '1' || (*status)[0] > '5') {
          continue;
        }
        out.by_class[static_cast<std::size_t>((*status)[0] - '1')] += sample.value;
      }
    } else if (family.name == "http_request_duration_seconds") {
      for (const observe::Sample& sample : family.samples) {
        if (!sample.name.ends_with("_bucket")) continue;
        const std::string* le = label(sample, "le");
        if (le == nullptr) continue;
        const double bound = parse_bound(*le);
        if (!std::isnan(bound)) buckets[bound] += sample.value;
      }
    }
  }
  out.buckets.assign(buckets.begin(), buckets.end());
  return out;
}

std::optional<double> bucket_quantile(double q,
                                      const std::vector<std::pair<double, double>>& cumulative) {
  if (cumulative.empty() || !std::isinf(cumulative.back().first)) return std::nullopt;
  const double total = cumulative.back().second;
  if (!(total > 0)) return std::nullopt;
  const double rank = q * total;
  double lower_bound = 0;
  double lower_count = 0;
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    const auto [le, count] = cumulative[i];
    if (count >= rank) {
      // In +Inf: the highest finite bound, as Prometheus answers.
      if (std::isinf(le)) return i > 0 ? cumulative[i - 1].first : 0.0;
      const double in_bucket = count - lower_count;
      if (!(in_bucket > 0)) return le;
      return lower_bound + (le - lower_bound) * (rank - lower_count) / in_bucket;
    }
    lower_bound = le;
    lower_count = count;
  }
  return std::nullopt;
}

TrafficHistory::TrafficHistory(std::size_t capacity, std::chrono::milliseconds quantile_window)
    : capacity_(std::max<std::size_t>(capacity, 1)), quantile_window_(quantile_window) {}

void TrafficHistory::add(std::chrono::system_clock::time_point now,
                         const observe::MetricsView& gateway, std::vector<ServiceCount> services) {
  Raw raw{unix_ms(now), request_totals(gateway)};
  HistoryPoint point;
  point.time_ms = raw.time_ms;
  point.services = std::move(services);
  if (!raw_.empty() && raw.time_ms > raw_.back().time_ms) {
    const Raw& previous = raw_.back();
    const double seconds = static_cast<double>(raw.time_ms - previous.time_ms) / 1000.0;
    double all = 0;
    bool reset = false;
    for (std::size_t c = 0; c < point.rate_by_class.size(); ++c) {
      const double increase = raw.totals.by_class[c] - previous.totals.by_class[c];
      if (increase < 0) reset = true;
      point.rate_by_class[c] = std::max(0.0, increase) / seconds;
      all += point.rate_by_class[c];
    }
    if (reset) point.rate_by_class = {};
    if (!reset && all > 0) point.error_ratio = point.rate_by_class[4] / all;
    // Quantiles over the window: from the oldest reading still inside it.
    const Raw* base = &previous;
    for (const Raw& r : raw_) {
      if (raw.time_ms - r.time_ms <= quantile_window_.count()) {
        base = &r;
        break;
      }
    }
    const auto increase = bucket_increase(base->totals, raw.totals);
    point.p50 = bucket_quantile(0.50, increase);
    point.p95 = bucket_quantile(0.95, increase);
    point.p99 = bucket_quantile(0.99, increase);
  }
  raw_.push_back(std::move(raw));
  while (raw_.size() > 1 && raw_.back().time_ms - raw_.front().time_ms > quantile_window_.count()) {
    raw_.pop_front();
  }
  points_.push_back(std::move(point));
  while (points_.size() > capacity_) points_.pop_front();
}

std::vector<HistoryPoint> TrafficHistory::since(std::int64_t since_ms) const {
  std::vector<HistoryPoint> out;
  for (const HistoryPoint& p : points_) {
    if (p.time_ms > since_ms) out.push_back(p);
  }
  return out;
}

nlohmann::json to_json(const HistoryPoint& point) {
  using nlohmann::json;
  auto optional = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json services = json::object();
  for (const ServiceCount& s : point.services) {
    json entry = {{"ready", s.ready}, {"replicas", s.replicas}};
    if (s.desired) entry["desired"] = *s.desired;
    services[s.name] = std::move(entry);
  }
  return {{"t", point.time_ms},
          {"rate", point.rate_by_class},
          {"errors", optional(point.error_ratio)},
          {"p50", optional(point.p50)},
          {"p95", optional(point.p95)},
          {"p99", optional(point.p99)},
          {"services", std::move(services)}};
}

}  // namespace flotilla::dashboard
