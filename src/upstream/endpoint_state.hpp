// The mutable per-worker state of one endpoint (in-flight, passive health, outlier ejection,
// slow-start ramp) and the ticket an attempt holds. Plain types; only UpstreamState mutates them.
#pragma once

#include <cstdint>

#include "upstream/outlier_detector.hpp"
#include "upstream/passive_health.hpp"
#include "upstream/snapshot.hpp"

namespace flotilla::upstream {

struct EndpointState {
  // Unique within one UpstreamState's lifetime, never reused: survives snapshot changes, so
  // tickets and tried sets stay valid while indices move.
  std::uint64_t serial = 0;
  std::uint32_t in_flight = 0;
  bool active_up = true;   // last verdict of the active health checker
  TimePoint ramp_since{};  // start of the current slow-start ramp; epoch = none
  // Attempts the gateway gave up on (per-try timeout, lost hedge) since the endpoint last
  // completed one: still load on the endpoint as far as the balancers are concerned.
  std::uint32_t abandoned = 0;
  TimePoint busy_since{};      // when it last went from idle to holding requests
  TimePoint last_completed{};  // its last attempt that ended with a response head
  std::uint32_t latency_ejections = 0;
  PassiveHealth passive;
  OutlierState outlier;
};

// Returned by UpstreamState::on_request_start; handed back to on_request_end (and to TriedSet).
// Holds the serial so a snapshot change between start and end cannot misattribute the result.
struct EndpointTicket {
  std::uint32_t index = 0;
  std::uint64_t serial = 0;
  TimePoint started{};  // epoch: no latency is recorded for the attempt
};

// For metrics and `flotilla status`.
struct EndpointStatus {
  std::uint32_t in_flight = 0;
  std::uint32_t fails = 0;
  std::uint32_t times_ejected = 0;
  std::uint32_t effective_weight = 0;  // in kWeightScale units (slow start applied)
  std::uint32_t abandoned = 0;         // attempts given up on that it may still hold
  std::uint32_t latency_ejections = 0;
  bool passive_down = false;
  bool ejected = false;
  bool active_up = true;
  bool available = true;
};

}  // namespace flotilla::upstream
