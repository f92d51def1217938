// A sliding window of attempt latencies for one upstream in one worker: fixed-size log-linear
// histograms (two halves that rotate), so recording and percentiles never allocate. Counts only;
// never decides what a percentile is used for (tail_policy.hpp does).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "upstream/snapshot.hpp"

namespace flotilla::upstream {

using Micros = std::chrono::microseconds;

// The percentiles the tail policy reads, taken from a window now and then (a percentile walks
// 256 counters: not a per-request cost).
struct LatencySummary {
  Micros p95{0};
  Micros p99{0};
  std::uint32_t samples = 0;
};

class LatencyWindow {
 public:
  // Each half covers `half` of time: a percentile reads the current half and the previous one,
  // so it reflects the last `half`..2×`half` of completed tries.
  static constexpr Duration kHalf{std::chrono::seconds(10)};
  // 4 buckets per power of two of microseconds (≤ 19 % apart), up to 2^31 µs (~36 min).
  static constexpr std::size_t kSubBuckets = 4;
  static constexpr std::size_t kBuckets = 32 * kSubBuckets;

  void record(Micros latency, TimePoint now);
  // The smallest bucket bound at or above the q-quantile (0 < q ≤ 1), or zero when empty.
  Micros percentile(double q, TimePoint now) const;
  std::uint32_t count(TimePoint now) const;
  // p95 and p99 in one walk (the same values as percentile()).
  LatencySummary summary(TimePoint now) const;

  static std::size_t bucket_of(std::uint64_t micros);
  static std::uint64_t upper_bound(std::size_t bucket);  // in microseconds, inclusive

 private:
  void rotate(TimePoint now);

  std::array<std::uint32_t, kBuckets> current_{};
  std::array<std::uint32_t, kBuckets> previous_{};
  std::uint32_t current_count_ = 0;
  std::uint32_t previous_count_ = 0;
  TimePoint current_since_{};
};

}  // namespace flotilla::upstream
