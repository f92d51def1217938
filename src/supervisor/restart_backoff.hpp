// The restart delay of one instance: Kubernetes CrashLoopBackOff semantics — `delay` after the
// first failed run, doubling up to `max_delay`, back to `delay` once a run lasted `reset_after`.
// Pure arithmetic on durations handed in; never reads a clock or sleeps.
#pragma once

#include <chrono>
#include <cstdint>

#include "config/spec.hpp"

namespace flotilla::supervisor {

class RestartBackoff {
 public:
  // How many failed runs in a row count as a crash loop (for status only).
  static constexpr std::uint32_t kCrashLoopRuns = 3;

  explicit RestartBackoff(const config::RestartConfig& config) : config_(config) {}

  // A run that lasted `ran_for` ended; returns how long to wait before the next start.
  config::Duration next_delay(config::Duration ran_for);

  std::uint32_t consecutive_failures() const { return consecutive_; }
  bool crash_looping() const { return consecutive_ >= kCrashLoopRuns; }

 private:
  config::RestartConfig config_;
  config::Duration current_{0};
  std::uint32_t consecutive_ = 0;
};

// Whether the policy restarts a run that ended this way (`failed`: non-zero code or a signal).
bool should_restart(config::RestartPolicy policy, bool failed);

}  // namespace flotilla::supervisor
