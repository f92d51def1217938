// Kubernetes probe semantics for one probe of one instance run: initial_delay, then a check every
// `period`; the verdict flips to passing after `success_threshold` successes in a row and to
// failing after `failure_threshold` failures in a row. The threshold arithmetic (ProbeTracker) is
// pure; run_probe_loop drives a ProbeCheck on the control thread and never outlives `alive()`.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "config/spec.hpp"
#include "supervisor/probes/probe.hpp"

namespace flotilla::supervisor {

// The verdict starts unknown (startup, readiness) or passing (liveness). Unknown or failing →
// passing after success_threshold successes in a row; unknown or passing → failing after
// failure_threshold failures in a row (so a startup probe that never passes does fail).
class ProbeTracker {
 public:
  enum class Verdict { unknown, passing, failing };

  ProbeTracker(std::uint32_t success_threshold, std::uint32_t failure_threshold, Verdict initial)
      : success_threshold_(success_threshold == 0 ? 1 : success_threshold),
        failure_threshold_(failure_threshold == 0 ? 1 : failure_threshold),
        verdict_(initial) {}

  // Records one check; returns the new verdict when it changes, nothing otherwise.
  std::optional<Verdict> record(bool ok);
  Verdict verdict() const { return verdict_; }

 private:
  std::uint32_t success_threshold_;
  std::uint32_t failure_threshold_;
  Verdict verdict_;
  std::uint32_t successes_ = 0;
  std::uint32_t failures_ = 0;
};

struct ProbeLoopHooks {
  std::function<bool()> alive;  // false: the run this loop belongs to is over; stop quietly
  // Called on every change of the verdict (to passing or failing) with the last check's result.
  // Return false to end the loop.
  std::function<bool(bool passing, const ProbeResult& last)> on_change;
  std::function<void(const ProbeResult& failed)> on_failure;  // every failed check (for logging)
  std::function<void()> on_success;                           // every passed check (optional)
  std::function<void()> on_check_start;                       // a check is sent (optional)
  std::function<void()> on_check_end;                         // ... and its result came (optional)
};

// Runs until hooks.alive() turns false or on_change returns false. The check must stay alive as
// long as the loop runs (the caller's coroutine owns both).
asio::awaitable<void> run_probe_loop(asio::any_io_executor executor, const config::Probe& probe,
                                     ProbeCheck& check, ProbeTracker::Verdict initial,
                                     ProbeLoopHooks hooks);

}  // namespace flotilla::supervisor
