// Per-try timeout and hedge delay from a latency summary. Must never read a clock or allocate.
#include "upstream/tail_policy.hpp"

#include <algorithm>

namespace flotilla::upstream {
namespace {

Duration scaled(Micros percentile, std::uint32_t multiple) {
  const Micros value = percentile * multiple;
  // Rounded up to whole milliseconds: a sub-millisecond p99 must not give a 0 ms timeout.
  return std::chrono::ceil<Duration>(value);
}

}  // namespace

Duration per_try_timeout(const AdaptiveTimeout& setting, const LatencySummary& latency,
                         Duration read) {
  switch (setting.mode) {
    case AdaptiveTimeout::Mode::off:
      return read;
    case AdaptiveTimeout::Mode::fixed:
      return std::min(setting.fixed, read);
    case AdaptiveTimeout::Mode::automatic:
      break;
  }
  if (latency.samples < kMinLatencySamples) return read;
  const Duration derived = std::max(kPerTryFloor, scaled(latency.p99, kPerTryP99Multiple));
  return std::min(derived, read);
}

Duration hedge_delay(const AdaptiveTimeout& setting, const LatencySummary& latency, Duration read) {
  switch (setting.mode) {
    case AdaptiveTimeout::Mode::off:
      return read;
    case AdaptiveTimeout::Mode::fixed:
      return std::min(setting.fixed, read);
    case AdaptiveTimeout::Mode::automatic:
      break;
  }
  if (latency.samples < kMinLatencySamples) return std::min(kHedgeDefault, read);
  const Duration derived = std::max(kHedgeFloor, scaled(latency.p95, kHedgeP95Multiple));
  return std::min(derived, read);
}

}  // namespace flotilla::upstream
