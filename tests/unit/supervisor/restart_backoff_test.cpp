#include "supervisor/restart_backoff.hpp"

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

using namespace std::chrono_literals;
using config::Duration;

config::RestartConfig restart(Duration delay, Duration max_delay, Duration reset_after) {
  config::RestartConfig config;
  config.delay = delay;
  config.max_delay = max_delay;
  config.reset_after = reset_after;
  return config;
}

TEST(RestartBackoff, DoublesUpToTheMaximum) {
  RestartBackoff backoff(restart(1s, 5s, 10min));
  EXPECT_EQ(backoff.next_delay(0ms), 1s);
  EXPECT_EQ(backoff.next_delay(0ms), 2s);
  EXPECT_EQ(backoff.next_delay(0ms), 4s);
  EXPECT_EQ(backoff.next_delay(0ms), 5s);
  EXPECT_EQ(backoff.next_delay(0ms), 5s);
  EXPECT_EQ(backoff.consecutive_failures(), 5u);
  EXPECT_TRUE(backoff.crash_looping());
}

TEST(RestartBackoff, ResetsAfterAHealthyRun) {
  RestartBackoff backoff(restart(100ms, 1s, 30s));
  backoff.next_delay(0ms);
  backoff.next_delay(1s);
  EXPECT_EQ(backoff.next_delay(29s), 400ms);
  EXPECT_EQ(backoff.next_delay(30s), 100ms);
  EXPECT_EQ(backoff.consecutive_failures(), 1u);
  EXPECT_FALSE(backoff.crash_looping());
}

TEST(RestartBackoff, CrashLoopAfterThreeFailedRuns) {
  RestartBackoff backoff(restart(10ms, 1s, 1min));
  backoff.next_delay(0ms);
  backoff.next_delay(0ms);
  EXPECT_FALSE(backoff.crash_looping());
  backoff.next_delay(0ms);
  EXPECT_TRUE(backoff.crash_looping());
}

TEST(RestartBackoff, MaxBelowDelayNeverShortensTheDelay) {
  RestartBackoff backoff(restart(2s, 1s, 1min));
  EXPECT_EQ(backoff.next_delay(0ms), 2s);
  EXPECT_EQ(backoff.next_delay(0ms), 2s);
}

TEST(ShouldRestart, FollowsThePolicy) {
  using config::RestartPolicy;
  EXPECT_TRUE(should_restart(RestartPolicy::always, false));
  EXPECT_TRUE(should_restart(RestartPolicy::always, true));
  EXPECT_FALSE(should_restart(RestartPolicy::on_failure, false));
  EXPECT_TRUE(should_restart(RestartPolicy::on_failure, true));
  EXPECT_FALSE(should_restart(RestartPolicy::never, true));
}

}  // namespace
}  // namespace flotilla::supervisor
