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

class ProbeTracker {
 public:
  ProbeTracker(std::uint32_t success_threshold, std::uint32_t failure_threshold, bool initially_passing)
      : success_threshold_(success_threshold == 0 ? 1 : success_threshold),
        failure_threshold_(failure_threshold == 0 ? 1 : failure_threshold),
        passing_(initially_passing) {}

  // Records one check; returns the new verdict when it flips, nothing otherwise.
  std::optional<bool> record(bool ok);
  bool passing() const { return passing_; }
  std::uint32_t failures_in_a_row() const { return failures_; }

 private:
  std::uint32_t success_threshold_;
  std::uint32_t failure_threshold_;
  bool passing_;
  std::uint32_t successes_ = 0;
  std::uint32_t failures_ = 0;
};

struct ProbeLoopHooks {
  std::function<bool()> alive;  // false: the run this loop belongs to is over; stop quietly
  // Called on every flip of the verdict with the last check's result. Return false to end the loop.
  std::function<bool(bool passing, const ProbeResult& last)> on_flip;
  std::function<void(const ProbeResult& failed)> on_failure;  // every failed check (for logging)
};

// Runs until hooks.alive() turns false or on_flip returns false. `initially_passing` is the
// verdict before the first check (liveness: passing; readiness/startup: failing).
asio::awaitable<void> run_probe_loop(asio::any_io_executor executor, const config::Probe& probe,
                                     ProbeCheck& check, bool initially_passing, ProbeLoopHooks hooks);

}  // namespace flotilla::supervisor
