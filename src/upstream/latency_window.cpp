// Log-linear bucketing and the two-half rotation of LatencyWindow. Must never allocate or read a
// clock: the caller passes `now`.
#include "upstream/latency_window.hpp"

#include <bit>
#include <cmath>

namespace flotilla::upstream {

std::size_t LatencyWindow::bucket_of(std::uint64_t micros) {
  if (micros < kSubBuckets) return static_cast<std::size_t>(micros);
  const auto exponent = static_cast<std::size_t>(std::bit_width(micros) - 1);  // ≥ 2
  // The two bits below the leading one pick the sub-bucket.
  const auto sub = static_cast<std::size_t>((micros >> (exponent - 2)) & (kSubBuckets - 1));
  const std::size_t bucket = (exponent - 1) * kSubBuckets + sub;
  return bucket < kBuckets ? bucket : kBuckets - 1;
}

std::uint64_t LatencyWindow::upper_bound(std::size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const std::size_t exponent = bucket / kSubBuckets + 1;
  const std::uint64_t sub = bucket % kSubBuckets;
  return ((kSubBuckets + sub + 1) << (exponent - 2)) - 1;
}

void LatencyWindow::rotate(TimePoint now) {
  if (now - current_since_ < kHalf) return;
  if (now - current_since_ < 2 * kHalf) {
    previous_ = current_;
    previous_count_ = current_count_;
  } else {
    previous_ = {};
    previous_count_ = 0;
  }
  current_ = {};
  current_count_ = 0;
  current_since_ = now;
}

void LatencyWindow::record(Micros latency, TimePoint now) {
  rotate(now);
  const auto micros = static_cast<std::uint64_t>(std::max<Micros::rep>(latency.count(), 0));
  ++current_[bucket_of(micros)];
  ++current_count_;
}

std::uint32_t LatencyWindow::count(TimePoint now) const {
  if (now - current_since_ >= 2 * kHalf) return 0;  // everything recorded is stale
  if (now - current_since_ >= kHalf) return current_count_;
  return current_count_ + previous_count_;
}

Micros LatencyWindow::percentile(double q, TimePoint now) const {
  const bool current_fresh = now - current_since_ < 2 * kHalf;
  const bool use_previous = now - current_since_ < kHalf;
  const std::uint32_t total = count(now);
  if (!current_fresh || total == 0) return Micros{0};
  const auto rank = static_cast<std::uint32_t>(std::ceil(q * total));
  std::uint32_t seen = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    seen += current_[b] + (use_previous ? previous_[b] : 0);
    if (seen >= rank && seen > 0) return Micros{static_cast<Micros::rep>(upper_bound(b))};
  }
  return Micros{static_cast<Micros::rep>(upper_bound(kBuckets - 1))};
}

LatencySummary LatencyWindow::summary(TimePoint now) const {
  LatencySummary out;
  out.samples = count(now);
  if (now - current_since_ >= 2 * kHalf || out.samples == 0) return out;
  const bool use_previous = now - current_since_ < kHalf;
  const auto rank95 = static_cast<std::uint32_t>(std::ceil(0.95 * out.samples));
  const auto rank99 = static_cast<std::uint32_t>(std::ceil(0.99 * out.samples));
  bool have95 = false;
  std::uint32_t seen = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    seen += current_[b] + (use_previous ? previous_[b] : 0);
    if (!have95 && seen >= rank95) {
      have95 = true;
      out.p95 = Micros{static_cast<Micros::rep>(upper_bound(b))};
    }
    if (seen >= rank99) {
      out.p99 = Micros{static_cast<Micros::rep>(upper_bound(b))};
      return out;
    }
  }
  const Micros last{static_cast<Micros::rep>(upper_bound(kBuckets - 1))};
  if (!have95) out.p95 = last;
  out.p99 = last;
  return out;
}

}  // namespace flotilla::upstream
