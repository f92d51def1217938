// Delay before a retry attempt: exponential with full jitter (AWS architecture blog's "Full
// Jitter"), so retries of many requests spread out instead of arriving in waves.
#pragma once

#include <chrono>
#include <cstdint>

#include "upstream/prng.hpp"
#include "upstream/snapshot.hpp"

namespace flotilla::upstream {

// Uniform in [0, min(cap, base × 2^attempt)], in microseconds; attempt 0 is the first retry.
std::chrono::microseconds backoff_delay(std::uint32_t attempt, const BackoffSpec& spec, Prng& rng);

}  // namespace flotilla::upstream
