// A deadline without a timer: the owner's worker checks it from one periodic sweep (see
// gateway::Worker) and runs the expiry there. For client-side timeouts, which are seconds long
// and need no better precision than the sweep's tick; costs a coarse clock read to move.
// Same interface as Watchdog, so code that moves deadlines does not care which it has.
#pragma once

#include <chrono>

#include "net/coarse_clock.hpp"

namespace flotilla::net {

class SweptDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // Due after `timeout`; zero or negative: disarm.
  void expires_after(Clock::duration timeout) noexcept {
    if (timeout <= Clock::duration::zero()) {
      disarm();
      return;
    }
    deadline_ = coarse_now() + timeout;
    expired_ = false;
  }
  // Due at `when` (a deadline kept across several reads, e.g. a minimum transfer rate's).
  void expires_at(Clock::time_point when) noexcept {
    deadline_ = when;
    expired_ = false;
  }
  Clock::time_point deadline() const noexcept { return deadline_; }
  void disarm() noexcept { deadline_ = Clock::time_point::max(); }
  bool expired() const noexcept { return expired_; }

  // For the sweep.
  bool due(Clock::time_point now) const noexcept { return now >= deadline_; }
  void mark_expired() noexcept {
    expired_ = true;
    deadline_ = Clock::time_point::max();
  }

 private:
  Clock::time_point deadline_ = Clock::time_point::max();
  bool expired_ = false;
};

}  // namespace flotilla::net
