// Per-try timeout and hedge delay from a latency window. Must never read a clock or allocate.
#include "upstream/tail_policy.hpp"

#include <algorithm>

namespace flotilla::upstream {
namespace {

Duration scaled_percentile(const LatencyWindow& window, double q, std::uint32_t multiple,
                           TimePoint now) {
  const Micros value = window.percentile(q, now) * multiple;
  // Rounded up to whole milliseconds: a sub-millisecond p99 must not give a 0 ms timeout.
  return std::chrono::ceil<Duration>(value);
}

}  // namespace

Duration per_try_timeout(const AdaptiveTimeout& setting, const LatencyWindow& window, TimePoint now,
                         Duration read) {
  switch (setting.mode) {
    case AdaptiveTimeout::Mode::off:
      return read;
    case AdaptiveTimeout::Mode::fixed:
      return std::min(setting.fixed, read);
    case AdaptiveTimeout::Mode::automatic:
      break;
  }
  if (window.count(now) < kMinLatencySamples) return read;
  const Duration derived =
      std::max(kPerTryFloor, scaled_percentile(window, 0.99, kPerTryP99Multiple, now));
  return std::min(derived, read);
}

Duration hedge_delay(const AdaptiveTimeout& setting, const LatencyWindow& window, TimePoint now,
                     Duration read) {
  switch (setting.mode) {
    case AdaptiveTimeout::Mode::off:
      return read;
    case AdaptiveTimeout::Mode::fixed:
      return std::min(setting.fixed, read);
    case AdaptiveTimeout::Mode::automatic:
      break;
  }
  if (window.count(now) < kMinLatencySamples) return std::min(kHedgeDefault, read);
  const Duration derived =
      std::max(kHedgeFloor, scaled_percentile(window, 0.95, kHedgeP95Multiple, now));
  return std::min(derived, read);
}

}  // namespace flotilla::upstream
