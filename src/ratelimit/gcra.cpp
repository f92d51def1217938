// GCRA as in ATM's "virtual scheduling": admitting a request moves TAT on by one emission
// interval; a request is refused when that would put TAT further ahead of now than the
// capacity. A TAT at or before now is a full budget, which is why idle keys can be forgotten.
#include "ratelimit/gcra.hpp"

#include <algorithm>

namespace flotilla::ratelimit {

GcraParams make_params(std::uint64_t count, Micros period, std::uint64_t burst, bool delay_mode) {
  GcraParams params;
  params.quota = std::max<std::uint64_t>(count, 1);
  const auto n = static_cast<Micros>(params.quota);
  params.emission = std::max<Micros>((period + n / 2) / n, 1);
  params.burst = burst;
  params.delay_mode = delay_mode;
  return params;
}

Step gcra_step(Micros tat, Micros now, const GcraParams& params) noexcept {
  Step step;
  const Micros base = std::max(tat, now);
  const Micros next = base + params.emission;
  const Micros ahead = next - now;  // how far the budget would be used, in time
  const Micros capacity = params.capacity();
  if (ahead > capacity) {
    step.tat = tat;
    step.decision.allowed = false;
    step.decision.retry_after = ahead - capacity;
    step.decision.remaining = 0;
    step.decision.reset = std::max<Micros>(base - now, 0);
    return step;
  }
  step.tat = next;
  step.decision.allowed = true;
  // In delay mode only N pass at once; the rest wait until they fit within N again.
  const Micros immediate = params.delay_mode ? params.immediate() : capacity;
  step.decision.delay = ahead > immediate ? ahead - immediate : 0;
  step.decision.remaining = static_cast<std::uint64_t>((capacity - ahead) / params.emission);
  step.decision.reset = ahead;
  return step;
}

}  // namespace flotilla::ratelimit
