// HedgeQueue on a real io_context: waiters are called in order of their deadlines, only once
// due, never after they unlinked; one due earlier than the armed timer re-arms it; a waiter may
// queue itself again from its call.
#include "gateway/proxy/hedge_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace flotilla::gateway {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Recorder : HedgeWaiter {
  Recorder(int id, std::vector<int>& calls) : id(id), calls(calls) {}
  void on_due(Clock::time_point now) override {
    calls.push_back(id);
    late_by = now - due();
    if (again > 0) {
      --again;
      queue->add(*this, now + milliseconds(5));
    }
  }
  int id;
  std::vector<int>& calls;
  Clock::duration late_by{};
  int again = 0;
  HedgeQueue* queue = nullptr;
};

// Runs the context until the queue is empty and its timer has nothing left (bounded).
void run_for(asio::io_context& context, milliseconds limit) {
  context.restart();
  context.run_for(limit);
}

TEST(HedgeQueue, CallsWaitersInDeadlineOrderOnceDue) {
  asio::io_context context;
  HedgeQueue queue(context);
  std::vector<int> calls;
  Recorder a(1, calls), b(2, calls), c(3, calls);
  const auto now = Clock::now();
  queue.add(c, now + milliseconds(30));
  queue.add(a, now + milliseconds(10));  // earlier than the armed timer: re-arms it
  queue.add(b, now + milliseconds(20));
  run_for(context, milliseconds(500));
  EXPECT_EQ(calls, (std::vector<int>{1, 2, 3}));
  EXPECT_GE(Clock::now() - now, milliseconds(30));
  EXPECT_TRUE(queue.empty());
  for (const Recorder* r : {&a, &b, &c}) {
    EXPECT_GE(r->late_by, Clock::duration::zero());
    EXPECT_FALSE(r->linked());
  }
}

TEST(HedgeQueue, AnUnlinkedWaiterIsNeverCalled) {
  asio::io_context context;
  HedgeQueue queue(context);
  std::vector<int> calls;
  Recorder a(1, calls), b(2, calls);
  const auto now = Clock::now();
  queue.add(a, now + milliseconds(10));
  queue.add(b, now + milliseconds(15));
  a.unlink();  // its try got a head in time
  {
    Recorder gone(3, calls);
    queue.add(gone, now + milliseconds(5));
  }  // destroyed while queued: unlinks itself
  run_for(context, milliseconds(500));
  EXPECT_EQ(calls, (std::vector<int>{2}));
}

TEST(HedgeQueue, AWaiterMayQueueItselfAgain) {
  asio::io_context context;
  HedgeQueue queue(context);
  std::vector<int> calls;
  Recorder a(1, calls), b(2, calls);
  a.queue = &queue;
  a.again = 2;
  const auto now = Clock::now();
  queue.add(a, now + milliseconds(5));
  queue.add(b, now + milliseconds(12));
  run_for(context, milliseconds(500));
  // a at 5, ~10 and ~15 ms; b at 12 ms between two of them.
  ASSERT_EQ(calls.size(), 4U);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), 1), 3);
  EXPECT_EQ(calls.front(), 1);
  EXPECT_TRUE(queue.empty());
}

TEST(HedgeQueue, EqualDeadlinesKeepTheirOrderAndShutDownStopsCalls) {
  asio::io_context context;
  HedgeQueue queue(context);
  std::vector<int> calls;
  Recorder a(1, calls), b(2, calls), c(3, calls);
  const auto due = Clock::now() + milliseconds(5);
  queue.add(a, due);
  queue.add(b, due);
  queue.add(c, due);
  run_for(context, milliseconds(500));
  EXPECT_EQ(calls, (std::vector<int>{1, 2, 3}));

  calls.clear();
  queue.add(a, Clock::now() + milliseconds(5));
  queue.shut_down();
  run_for(context, milliseconds(50));
  EXPECT_TRUE(calls.empty());
}

}  // namespace
}  // namespace flotilla::gateway
