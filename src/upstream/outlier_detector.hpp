// Envoy-style consecutive-error outlier detection: when to eject an endpoint and for how long.
// Decides for one endpoint at a time; the caller counts the upstream's other endpoints for the cap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "upstream/snapshot.hpp"

namespace flotilla::upstream {

struct OutlierState {
  std::uint32_t consecutive_errors = 0;
  std::uint32_t times_ejected = 0;  // Envoy's ejection multiplier
  TimePoint ejected_until{};        // epoch = never ejected
};

class OutlierDetector {
 public:
  explicit OutlierDetector(const OutlierSpec& spec) : spec_(spec) {}

  bool enabled() const { return spec_.consecutive_errors != 0; }
  bool ejected(const OutlierState& state, TimePoint now) const { return now < state.ejected_until; }

  // Counts one gateway error or 5xx. True when the threshold is reached: the caller then asks
  // may_eject() and calls eject(). The count restarts either way, so a blocked ejection is tried
  // again after another `consecutive_errors` errors. Errors of an ejected endpoint (requests
  // still in flight when it was ejected) are ignored.
  bool on_error(OutlierState& state, TimePoint now) const;
  void on_success(OutlierState& state) const { state.consecutive_errors = 0; }

  // The max_ejected_percent cap, with two decisions of ours: one endpoint may always be ejected
  // even when the percentage rounds to zero (Envoy does the same), but never the last available
  // one of its kind (primary or backup) — ejecting it would only turn its errors into "no live
  // upstream" and push primaries' traffic to backups; passive health still covers that case.
  bool may_eject(std::size_t endpoints, std::size_t ejected_now,
                 std::size_t others_available) const;

  // Ejects for base_ejection × multiplier, capped at max_ejection (never below base_ejection).
  // The multiplier first decays by one per `interval` spent not ejected, as Envoy's does.
  void eject(OutlierState& state, TimePoint now) const;

 private:
  OutlierSpec spec_;
};

}  // namespace flotilla::upstream
