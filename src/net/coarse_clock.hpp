// A cheap monotonic clock for deadlines measured in seconds and for balancer bookkeeping:
// CLOCK_MONOTONIC_COARSE (a vDSO read of the last tick, a few ns, ~4 ms resolution) instead of
// CLOCK_MONOTONIC. Same epoch as std::chrono::steady_clock on Linux, so the two compare; never
// use it for latencies.
#pragma once

#include <time.h>

#include <chrono>

namespace flotilla::net {

inline std::chrono::steady_clock::time_point coarse_now() noexcept {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

}  // namespace flotilla::net
