// The probe loop and its thresholds (see probe_runner.hpp).
#include "supervisor/probe_runner.hpp"

#include <asio/steady_timer.hpp>

#include "net/async.hpp"

namespace flotilla::supervisor {

std::optional<ProbeTracker::Verdict> ProbeTracker::record(bool ok) {
  if (ok) {
    failures_ = 0;
    if (verdict_ != Verdict::passing && ++successes_ >= success_threshold_) {
      verdict_ = Verdict::passing;
      successes_ = 0;
      return verdict_;
    }
  } else {
    successes_ = 0;
    if (verdict_ != Verdict::failing && ++failures_ >= failure_threshold_) {
      verdict_ = Verdict::failing;
      failures_ = 0;
      return verdict_;
    }
  }
  return std::nullopt;
}

asio::awaitable<void> run_probe_loop(asio::any_io_executor executor, const config::Probe& probe,
                                     ProbeCheck& check, ProbeTracker::Verdict initial,
                                     ProbeLoopHooks hooks) {
  asio::steady_timer timer(executor);
  ProbeTracker tracker(probe.success_threshold, probe.failure_threshold, initial);
  if (probe.initial_delay.count() > 0) {
    timer.expires_after(probe.initial_delay);
    co_await timer.async_wait(net::use_nothrow);
  }
  while (hooks.alive()) {
    const auto started = std::chrono::steady_clock::now();
    if (hooks.on_check_start) hooks.on_check_start();
    const ProbeResult result = co_await check.run();
    if (!hooks.alive()) co_return;
    if (hooks.on_check_end) hooks.on_check_end();
    if (!result.ok && hooks.on_failure) hooks.on_failure(result);
    if (result.ok && hooks.on_success) hooks.on_success();
    if (std::optional<ProbeTracker::Verdict> changed = tracker.record(result.ok)) {
      if (!hooks.on_change(*changed == ProbeTracker::Verdict::passing, result)) co_return;
    }
    timer.expires_at(started + probe.period);
    co_await timer.async_wait(net::use_nothrow);
  }
}

}  // namespace flotilla::supervisor
