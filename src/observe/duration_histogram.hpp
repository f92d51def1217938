// The request-duration histogram of one shard: fixed Prometheus buckets from 5 ms to 10 s,
// stored per bucket (not cumulative) in integer nanoseconds so observing is a few compares and
// adds. Plain data; cumulation happens when a view is built, never on the hot path.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace flotilla::observe {

// Upper bounds in seconds, as rendered in `le`; the +Inf bucket is implicit.
inline constexpr std::array<double, 11> kDurationBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1,    2.5,   5,    10};

// The same bounds in nanoseconds, for integer compares on the hot path.
inline constexpr std::array<std::int64_t, 11> kDurationBoundsNs = {
    5'000'000,   10'000'000,    25'000'000,    50'000'000,    100'000'000,   250'000'000,
    500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};

struct DurationHistogram {
  // counts[i]: observations in (bound[i-1], bound[i]]; counts.back(): above the last bound.
  std::array<std::uint64_t, kDurationBounds.size() + 1> counts{};
  std::uint64_t sum_ns = 0;  // wraps after 584 years of summed request time
  std::uint64_t count = 0;

  // Index of the bucket a duration falls in (Prometheus buckets are upper-inclusive).
  static constexpr std::size_t bucket_of(std::chrono::nanoseconds duration) noexcept {
    const std::int64_t ns = duration.count();
    std::size_t i = 0;
    while (i < kDurationBoundsNs.size() && ns > kDurationBoundsNs[i]) ++i;
    return i;
  }

  void observe(std::chrono::nanoseconds duration) noexcept {
    if (duration.count() < 0) duration = std::chrono::nanoseconds(0);
    ++counts[bucket_of(duration)];
    sum_ns += static_cast<std::uint64_t>(duration.count());
    ++count;
  }

  void merge(const DurationHistogram& other) noexcept {
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
    sum_ns += other.sum_ns;
    count += other.count;
  }
};

}  // namespace flotilla::observe
