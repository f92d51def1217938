// The worker's readiness poller: edge-triggered reports (bytes already there when watched, new
// bytes later, nothing in between), and forgotten watches are never reported.
#include "net/readiness_poller.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>

namespace flotilla::net {
namespace {

struct Counter : ReadinessPoller::Target {
  int reports = 0;
  void on_readable() override { ++reports; }
};

class ReadinessPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds_), 0);
  }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  void send_byte() { ASSERT_EQ(::write(fds_[1], "x", 1), 1); }
  void drain() {
    char buffer[64];
    while (::read(fds_[0], buffer, sizeof buffer) > 0) {
    }
  }
  // Runs the loop until `target` has `reports` reports, or 1 s.
  void run_until(const Counter& target, int reports) {
    for (int i = 0; i < 100 && target.reports < reports; ++i) {
      context_.run_for(std::chrono::milliseconds(10));
    }
  }
  void run_a_while() { context_.run_for(std::chrono::milliseconds(50)); }

  asio::io_context context_;
  int fds_[2] = {-1, -1};
};

TEST_F(ReadinessPollerTest, ReportsEdgesOnly) {
  ReadinessPoller poller(context_);
  Counter target;
  send_byte();  // before the watch: reported as well
  std::error_code ec;
  const ReadinessPoller::Token token = poller.watch(fds_[0], &target, ec);
  ASSERT_FALSE(ec);
  ASSERT_NE(token, ReadinessPoller::kNoToken);
  run_until(target, 1);
  EXPECT_EQ(target.reports, 1);
  drain();
  run_a_while();
  EXPECT_EQ(target.reports, 1);  // no new bytes, no new report
  send_byte();
  run_until(target, 2);
  EXPECT_EQ(target.reports, 2);
  poller.close();
}

TEST_F(ReadinessPollerTest, ForgottenWatchesAreNotReported) {
  ReadinessPoller poller(context_);
  Counter first;
  Counter second;
  std::error_code ec;
  const ReadinessPoller::Token old_token = poller.watch(fds_[0], &first, ec);
  ASSERT_FALSE(ec);
  poller.forget(old_token);
  poller.forget(old_token);  // twice: harmless
  // The slot is reused with a new generation; the descriptor is still in the epoll set under
  // the old token (as a closed socket a forked child still holds would be).
  const int other = ::dup(fds_[0]);
  ASSERT_GE(other, 0);
  const ReadinessPoller::Token new_token = poller.watch(other, &second, ec);
  ASSERT_FALSE(ec);
  EXPECT_NE(new_token, old_token);
  send_byte();
  run_until(second, 1);
  EXPECT_EQ(second.reports, 1);
  EXPECT_EQ(first.reports, 0);
  poller.forget(new_token);
  poller.close();
  ::close(other);
}

TEST_F(ReadinessPollerTest, WatchFailsOnABadDescriptor) {
  ReadinessPoller poller(context_);
  Counter target;
  std::error_code ec;
  EXPECT_EQ(poller.watch(-1, &target, ec), ReadinessPoller::kNoToken);
  EXPECT_TRUE(ec);
  poller.close();
}

}  // namespace
}  // namespace flotilla::net
