// A one-waiter wake-up for the HTTP/2 codec's coroutines on one worker: notify() before or during
// the wait both wake it (the flag keeps an early notify), wait_for() bounds the wait. A timer
// cancelled on notify: no allocation per wait, no lock (one thread). Never shared across threads.
#pragma once

#include <chrono>

#include "net/async.hpp"
#include "net/socket.hpp"

namespace flotilla::gateway::h2 {

class Event {
 public:
  explicit Event(const net::Executor& executor) : timer_(executor) {}

  void notify() noexcept {
    set_ = true;
    timer_.cancel();
  }
  // True when notified, false when `timeout` passed first.
  net::Awaitable<bool> wait_for(std::chrono::milliseconds timeout) {
    if (!set_) {
      // A zero timeout in the config means "no deadline".
      timer_.expires_after(timeout.count() > 0 ? timeout : std::chrono::hours(24));
      auto [ec] = co_await timer_.async_wait(net::use_nothrow_io);
      (void)ec;
    }
    const bool notified = set_;
    set_ = false;
    co_return notified;
  }

 private:
  net::Timer timer_;
  bool set_ = false;
};

}  // namespace flotilla::gateway::h2
