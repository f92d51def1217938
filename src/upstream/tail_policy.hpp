// The tail-latency arithmetic: a route's per-try timeout and hedge delay from the upstream's
// latency window. Pure functions of their arguments (the window's summary, the route's bounds);
// never reads a clock, never decides whether a request may be hedged (the gateway's decide does).
#pragma once

#include <chrono>
#include <cstdint>

#include "upstream/latency_window.hpp"
#include "upstream/snapshot.hpp"

namespace flotilla::upstream {

struct AdaptiveTimeout {
  enum class Mode : std::uint8_t { off, automatic, fixed };
  Mode mode = Mode::off;
  Duration fixed{0};
};

// Fewer completed tries than this in the window: `auto` has nothing to go on.
inline constexpr std::uint32_t kMinLatencySamples = 32;
inline constexpr Duration kPerTryFloor{250};
inline constexpr std::uint32_t kPerTryP99Multiple = 4;
inline constexpr Duration kHedgeFloor{25};
inline constexpr Duration kHedgeDefault{250};  // `auto` before the window has samples
inline constexpr std::uint32_t kHedgeP95Multiple = 2;

// How long one try waits for its response head: `read` when off (or auto without samples),
// else auto = max(floor, 4 × p99) or the fixed value, never above `read`.
Duration per_try_timeout(const AdaptiveTimeout& setting, const LatencySummary& latency,
                         Duration read);

// How long a try waits for its head before a hedge goes out: auto = max(floor, 2 × p95),
// kHedgeDefault without samples; never above `read` (a hedge after the try timed out is a retry).
Duration hedge_delay(const AdaptiveTimeout& setting, const LatencySummary& latency, Duration read);

}  // namespace flotilla::upstream
