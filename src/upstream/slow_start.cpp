// The linear slow-start ramp. Must never allocate or read the clock: `now` comes from the caller.
#include "upstream/slow_start.hpp"

#include <algorithm>
#include <cmath>

namespace flotilla::upstream {

namespace {
constexpr double kInitialFraction = 0.1;
}

std::uint32_t slow_start_weight(std::uint32_t weight, TimePoint since, TimePoint now,
                                Duration slow_start) {
  const std::uint64_t full = std::uint64_t{weight} * kWeightScale;
  const auto capped = static_cast<std::uint32_t>(std::min<std::uint64_t>(full, UINT32_MAX));
  if (slow_start.count() <= 0 || since == TimePoint{} || now - since >= slow_start) return capped;
  const double elapsed = now < since ? 0.0
                                     : std::chrono::duration<double>(now - since).count() /
                                           std::chrono::duration<double>(slow_start).count();
  const double fraction = kInitialFraction + (1.0 - kInitialFraction) * elapsed;
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(capped * fraction)));
}

}  // namespace flotilla::upstream
