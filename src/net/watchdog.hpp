// A per-connection deadline: one timer that fires the owner's expiry action (closing the socket)
// when the current deadline passes. Moving the deadline is an assignment, not a timer re-arm,
// so per-read/per-write timeouts cost nothing on the hot path (the pattern of Asio's examples).
// Must never touch its owner after the owner is destroyed: an aborted wait does nothing.
#pragma once

#include <chrono>
#include <utility>

#include <asio/basic_waitable_timer.hpp>

#include "net/coarse_clock.hpp"

namespace flotilla::net {

// `OnExpire` is the expiry action, called with no argument (a lambda or a small functor: no
// std::function, so a watchdog costs no allocation). Deduced: `Watchdog dog(executor, [&] {…});`
template <class Executor, class OnExpire>
class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  Watchdog(const Executor& executor, OnExpire on_expire)
      : timer_(executor), on_expire_(std::move(on_expire)) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Fires after `timeout` unless moved or disarmed first. Zero or negative: disarm.
  void expires_after(Clock::duration timeout) {
    if (timeout <= Clock::duration::zero()) {
      disarm();
      return;
    }
    expires_at(coarse_now() + timeout);  // ~4 ms resolution is plenty for a timeout
  }

  void expires_at(Clock::time_point deadline) {
    deadline_ = deadline;
    expired_ = false;
    // Only re-arm when the pending wait would fire too late; a later deadline is picked up
    // when the pending wait completes.
    if (!waiting_ || deadline_ < timer_.expiry()) arm();
  }

  void disarm() { deadline_ = Clock::time_point::max(); }
  bool expired() const noexcept { return expired_; }

 private:
  void arm() {
    waiting_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([this](std::error_code ec) {
      if (ec) return;  // cancelled by a re-arm or by destruction: `this` may be gone
      waiting_ = false;
      if (deadline_ == Clock::time_point::max()) return;
      if (Clock::now() >= deadline_) {
        expired_ = true;
        deadline_ = Clock::time_point::max();
        on_expire_();
      } else {
        arm();
      }
    });
  }

  asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, Executor> timer_;
  OnExpire on_expire_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool waiting_ = false;
  bool expired_ = false;
};

template <class Executor, class OnExpire>
Watchdog(const Executor&, OnExpire) -> Watchdog<Executor, OnExpire>;

}  // namespace flotilla::net
