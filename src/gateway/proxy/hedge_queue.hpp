// The hedged tries of one worker that wait for their hedge delay, in order of their deadlines,
// behind one timer: a try that gets its head in time only links and unlinks itself (no timer of
// its own, no allocation). Never decides whether a hedge goes out (the waiter does), never
// owns its waiters.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <optional>

#include "net/intrusive_list.hpp"

namespace flotilla::gateway {

class HedgeQueue;

// One try waiting for its hedge delay. Unlinks itself when destroyed (ListHook); a waiter that
// is no longer linked is never called.
class HedgeWaiter : public net::ListHook {
 public:
  using Clock = std::chrono::steady_clock;
  Clock::time_point due() const noexcept { return due_; }

 protected:
  ~HedgeWaiter() = default;

 private:
  friend class HedgeQueue;
  // Called once `due` has passed, already unlinked; it may queue itself again (a later `due`).
  virtual void on_due(Clock::time_point now) = 0;
  Clock::time_point due_{};
};

class HedgeQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HedgeQueue(asio::io_context& context) { timer_.emplace(context); }
  HedgeQueue(const HedgeQueue&) = delete;
  HedgeQueue& operator=(const HedgeQueue&) = delete;

  // Queues `waiter` (unlinking it first) to be called at `due`. O(1) when `due` is no earlier
  // than the last one queued (tries of one route start in order with about the same delay);
  // otherwise it walks back past the waiters due later.
  void add(HedgeWaiter& waiter, Clock::time_point due);
  // `waiter.unlink()` takes a waiter out; the timer is left to fire and find nothing.

  bool empty() const noexcept { return waiting_.empty(); }
  // No more calls: the timer is cancelled and dropped (the worker is shutting down; the timer
  // must not outlive the io_context).
  void shut_down();

 private:
  void arm(Clock::time_point at);
  void fire();

  std::optional<asio::steady_timer> timer_;
  net::IntrusiveList<HedgeWaiter> waiting_;  // ascending `due`
  Clock::time_point armed_at_ = Clock::time_point::max();
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace flotilla::gateway
