// The probe loop and its thresholds (see probe_runner.hpp).
#include "supervisor/probe_runner.hpp"

#include <asio/steady_timer.hpp>

#include "gateway/async.hpp"

namespace flotilla::supervisor {

std::optional<bool> ProbeTracker::record(bool ok) {
  if (ok) {
    failures_ = 0;
    if (!passing_ && ++successes_ >= success_threshold_) {
      passing_ = true;
      successes_ = 0;
      return true;
    }
  } else {
    successes_ = 0;
    if (passing_ || failure_threshold_ > 0) ++failures_;
    if (passing_ && failures_ >= failure_threshold_) {
      passing_ = false;
      return false;
    }
  }
  return std::nullopt;
}

asio::awaitable<void> run_probe_loop(asio::any_io_executor executor, const config::Probe& probe,
                                     ProbeCheck& check, bool initially_passing, ProbeLoopHooks hooks) {
  asio::steady_timer timer(executor);
  ProbeTracker tracker(probe.success_threshold, probe.failure_threshold, initially_passing);
  if (probe.initial_delay.count() > 0) {
    timer.expires_after(probe.initial_delay);
    co_await timer.async_wait(gateway::use_nothrow);
  }
  while (hooks.alive()) {
    const auto started = std::chrono::steady_clock::now();
    const ProbeResult result = co_await check.run();
    if (!hooks.alive()) co_return;
    if (!result.ok && hooks.on_failure) hooks.on_failure(result);
    if (std::optional<bool> flipped = tracker.record(result.ok)) {
      if (!hooks.on_flip(*flipped, result)) co_return;
    } else if (!initially_passing && !tracker.passing() &&
               tracker.failures_in_a_row() >= probe.failure_threshold && probe.failure_threshold > 0) {
      // A verdict that starts failing can still "fail for good" (startup: failure_threshold
      // attempts without a pass kills the instance); report it once per threshold.
      if (tracker.failures_in_a_row() == probe.failure_threshold && !hooks.on_flip(false, result)) {
        co_return;
      }
    }
    timer.expires_at(started + probe.period);
    co_await timer.async_wait(gateway::use_nothrow);
  }
}

}  // namespace flotilla::supervisor
