// Fully jittered exponential back-off. Must never sleep or schedule anything: it only computes.
#include "upstream/backoff.hpp"

#include <algorithm>

namespace flotilla::upstream {

std::chrono::microseconds backoff_delay(std::uint32_t attempt, const BackoffSpec& spec, Prng& rng) {
  using std::chrono::microseconds;
  const auto base = std::chrono::duration_cast<microseconds>(spec.base).count();
  const auto cap = std::chrono::duration_cast<microseconds>(spec.cap).count();
  if (base <= 0 || cap <= 0) return microseconds{0};
  // Doubling stops as soon as it reaches the cap, so no shift can overflow.
  std::int64_t ceiling = base;
  for (std::uint32_t i = 0; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  return microseconds{
      static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(ceiling) + 1))};
}

}  // namespace flotilla::upstream
