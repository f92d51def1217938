// Slow start (nginx plus `slow_start`, HAProxy `slowstart`): the weight an endpoint gets while
// it ramps up after joining or recovering. A pure function of time; must never keep state.
#pragma once

#include <cstdint>

#include "upstream/balancer.hpp"
#include "upstream/snapshot.hpp"

namespace flotilla::upstream {

// weight × kWeightScale, reduced while `since` is less than `slow_start` ago: linear from 10% at
// `since` to 100% at since + slow_start. `since` at the epoch means "no ramp". Never below 1.
std::uint32_t slow_start_weight(std::uint32_t weight, TimePoint since, TimePoint now,
                                Duration slow_start);

}  // namespace flotilla::upstream
