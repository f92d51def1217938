// One timer for all of a worker's hedge delays: armed at the earliest deadline, re-armed only
// when a waiter is due earlier than that. Must never call a waiter that is unlinked, nor touch
// `this` from a cancelled wait.
#include "gateway/proxy/hedge_queue.hpp"

namespace flotilla::gateway {

void HedgeQueue::add(HedgeWaiter& waiter, Clock::time_point due) {
  waiter.due_ = due;
  waiting_.insert_sorted(
      &waiter, [](const HedgeWaiter* a, const HedgeWaiter* b) { return a->due_ < b->due_; });
  arm(due);
}

void HedgeQueue::arm(Clock::time_point at) {
  // A pending wait that fires no later than `at` will find this waiter then.
  if (stopped_ || (armed_ && armed_at_ <= at)) return;
  armed_ = true;
  armed_at_ = at;
  timer_->expires_at(at);  // cancels a later pending wait: its handler sees the error
  timer_->async_wait([this](std::error_code ec) {
    if (ec) return;  // re-armed (the new wait owns armed_) or destroyed: touch nothing
    fire();
  });
}

void HedgeQueue::fire() {
  armed_ = false;
  armed_at_ = Clock::time_point::max();
  const Clock::time_point now = Clock::now();
  while (HedgeWaiter* waiter = waiting_.front()) {
    if (waiter->due_ > now) {
      arm(waiter->due_);
      return;
    }
    waiter->unlink();
    waiter->on_due(now);  // may queue itself again, due later than `now`
  }
}

void HedgeQueue::shut_down() {
  stopped_ = true;
  armed_ = false;
  if (timer_) timer_->cancel();
  timer_.reset();
}

}  // namespace flotilla::gateway
