// The data plane's side of the query-of-death rule, its pure parts: which endpoints a crash
// report may name (supervised instances, not `servers:` entries), how a verdict reads for
// decide(), and the spread of suspects' replays.
#include "gateway/proxy/crash_verdict.hpp"

#include <gtest/gtest.h>

#include "gateway/worker.hpp"

namespace flotilla::gateway {
namespace {

TEST(CrashVerdict, OnlySupervisedInstancesAreReported) {
  UpstreamTarget target;
  target.spec.name = "web";
  target.spec.endpoints = {{"web/0", "127.0.0.1:8001", 1, false},
                           {"10.0.0.5:80", "10.0.0.5:80", 1, true}};
  target.addresses = {asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 8001),
                      asio::ip::tcp::endpoint(asio::ip::make_address("10.0.0.5"), 80)};
  const WorkerUpstream upstream(target, 1);
  EXPECT_EQ(crash_endpoint_key(upstream, 0), CrashLedger::endpoint_key("127.0.0.1:8001"));
  EXPECT_EQ(crash_endpoint_key(upstream, 1), 0u);  // a `servers:` entry
  EXPECT_EQ(crash_endpoint_key(upstream, 2), 0u);  // no such endpoint
}

TEST(CrashVerdict, HowAVerdictReads) {
  EXPECT_EQ(instance_crash(std::nullopt), InstanceCrash::none);
  EXPECT_EQ(instance_crash(CrashAnswer{false, 3}), InstanceCrash::none);
  EXPECT_EQ(instance_crash(CrashAnswer{true, 1}), InstanceCrash::alone);
  EXPECT_EQ(instance_crash(CrashAnswer{true, 0}), InstanceCrash::alone);
  EXPECT_EQ(instance_crash(CrashAnswer{true, 2}), InstanceCrash::beside_others);
}

TEST(CrashVerdict, SuspectsReplaysAreSpread) {
  upstream::Prng rng(42);
  std::chrono::microseconds lowest = kSuspectReplaySpread;
  std::chrono::microseconds highest{0};
  for (int i = 0; i < 1000; ++i) {
    const std::chrono::microseconds delay = suspect_replay_delay(rng);
    ASSERT_GE(delay.count(), 0);
    ASSERT_LT(delay, kSuspectReplaySpread);
    lowest = std::min(lowest, delay);
    highest = std::max(highest, delay);
  }
  EXPECT_LT(lowest, kSuspectReplaySpread / 10);
  EXPECT_GT(highest, kSuspectReplaySpread * 9 / 10);
}

}  // namespace
}  // namespace flotilla::gateway
