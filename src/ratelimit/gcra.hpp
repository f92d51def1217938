// The generic cell rate algorithm (GCRA) for one key: a single number, the theoretical arrival
// time (TAT), says everything about a client's budget. Pure arithmetic on microseconds; never
// reads a clock or touches shared state (key_table.hpp does, with these functions).
#pragma once

#include <cstdint>

namespace flotilla::ratelimit {

using Micros = std::int64_t;

// CloudFlare's meaning of `N/period` plus `burst`: a fresh client may send N + burst at once,
// and the budget refills at N per period (one request every `emission` µs).
struct GcraParams {
  Micros emission = 1;      // period / N, at least 1 µs
  std::uint64_t quota = 1;  // N: admitted at once without delay
  std::uint64_t burst = 0;  // above N: admitted (reject mode) or delayed (delay mode)
  bool delay_mode = false;  // requests over N (within burst) wait instead of passing at once

  Micros capacity() const noexcept { return static_cast<Micros>(quota + burst) * emission; }
  Micros immediate() const noexcept { return static_cast<Micros>(quota) * emission; }
};

// `period_us / count`, rounded to the nearest µs (at least 1).
GcraParams make_params(std::uint64_t count, Micros period, std::uint64_t burst, bool delay_mode);

struct Decision {
  bool allowed = false;
  Micros delay = 0;             // delay mode: how long to hold the request before passing it
  Micros retry_after = 0;       // rejected: when the next request would be allowed
  std::uint64_t remaining = 0;  // requests admitted at once after this one (for RateLimit: r=)
  Micros reset = 0;             // until the budget is whole again (for RateLimit: t=)
};

struct Step {
  Micros tat = 0;  // the key's new TAT (unchanged when rejected)
  Decision decision;
};

// One request at `now` against a key whose TAT is `tat` (0 or any past time: a fresh key).
Step gcra_step(Micros tat, Micros now, const GcraParams& params) noexcept;

}  // namespace flotilla::ratelimit
