// Consecutive-error counting, the ejection cap and Envoy's growing ejection time. Must never
// keep state of its own: everything per endpoint lives in OutlierState, owned by the caller.
#include "upstream/outlier_detector.hpp"

#include <algorithm>

namespace flotilla::upstream {

bool OutlierDetector::on_error(OutlierState& state, TimePoint now) const {
  if (!enabled() || ejected(state, now)) return false;
  if (++state.consecutive_errors < spec_.consecutive_errors) return false;
  state.consecutive_errors = 0;
  return true;
}

bool OutlierDetector::may_eject(std::size_t endpoints, std::size_t ejected_now,
                                std::size_t others_available) const {
  if (others_available == 0) return false;
  const std::size_t allowed = std::max<std::size_t>(1, endpoints * spec_.max_ejected_percent / 100);
  return ejected_now + 1 <= allowed;
}

void OutlierDetector::eject(OutlierState& state, TimePoint now) const {
  if (state.times_ejected > 0 && spec_.interval.count() > 0 && now > state.ejected_until) {
    const auto healthy_intervals =
        static_cast<std::uint64_t>((now - state.ejected_until) / spec_.interval);
    state.times_ejected -=
        static_cast<std::uint32_t>(std::min<std::uint64_t>(healthy_intervals, state.times_ejected));
  }
  ++state.times_ejected;
  const Duration cap = std::max(spec_.max_ejection, spec_.base_ejection);
  Duration length = cap;
  // Compare in multiples of base rather than computing base × multiplier, which could overflow.
  if (spec_.base_ejection.count() <= 0) {
    length = Duration{0};
  } else if (state.times_ejected < cap / spec_.base_ejection) {
    length = spec_.base_ejection * state.times_ejected;
  }
  state.ejected_until = now + length;
  state.consecutive_errors = 0;
}

}  // namespace flotilla::upstream
