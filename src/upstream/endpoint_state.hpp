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
  PassiveHealth passive;
  OutlierState outlier;
};

// Returned by UpstreamState::on_request_start; handed back to on_request_end (and to TriedSet).
// Holds the serial so a snapshot change between start and end cannot misattribute the result.
struct EndpointTicket {
  std::uint32_t index = 0;
  std::uint64_t serial = 0;
};

// For metrics and `flotilla status`.
struct EndpointStatus {
  std::uint32_t in_flight = 0;
  std::uint32_t fails = 0;
  std::uint32_t times_ejected = 0;
  std::uint32_t effective_weight = 0;  // in kWeightScale units (slow start applied)
  bool passive_down = false;
  bool ejected = false;
  bool active_up = true;
  bool available = true;
};

}  // namespace flotilla::upstream
