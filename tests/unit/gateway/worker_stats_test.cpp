#include "gateway/worker_stats.hpp"

#include <gtest/gtest.h>

namespace flotilla::gateway {
namespace {

EndpointReading reading(std::string upstream, std::string key, bool available,
                        std::uint32_t in_flight, std::uint32_t fails) {
  EndpointReading r;
  r.upstream = std::move(upstream);
  r.endpoint = std::move(key);
  r.status.available = available;
  r.status.in_flight = in_flight;
  r.status.fails = fails;
  return r;
}

TEST(WorkerStats, MergesShardsAndEndpointHealthOverWorkers) {
  std::vector<WorkerStats> workers(2);
  for (WorkerStats& w : workers) {
    const std::uint32_t app = w.shard.upstream_series("app");
    const std::uint32_t e1 = w.shard.endpoint_series(app, "e1");
    w.shard.attempt_finished(e1, observe::AttemptOutcome::status_2xx);
    w.shard.attempt_finished(e1, observe::AttemptOutcome::reset);
    w.shard.endpoint_failed(e1, observe::FailureReason::reset);
    w.active_connections = 3;
  }
  // Worker 0 took e1 out after a failure; worker 1 still uses it. e2 is down everywhere.
  workers[0].endpoints = {reading("app", "e1", false, 0, 1), reading("app", "e2", false, 0, 1)};
  workers[1].endpoints = {reading("app", "e1", true, 2, 0), reading("app", "e2", false, 0, 1)};
  // A worker that already serves a newer snapshot knows e3 too.
  workers[1].endpoints.push_back(reading("app", "e3", true, 0, 0));

  const observe::GatewayStats stats = merge_worker_stats(workers);
  EXPECT_EQ(stats.active_connections, 6u);
  ASSERT_EQ(stats.endpoints.size(), 3u);
  EXPECT_EQ(stats.endpoints[0].endpoint, "e1");
  EXPECT_TRUE(stats.endpoints[0].up);
  EXPECT_EQ(stats.endpoints[0].in_flight, 2u);
  EXPECT_EQ(stats.endpoints[0].fails, 1u);
  EXPECT_EQ(stats.endpoints[0].requests, 4u);
  EXPECT_EQ(stats.endpoints[0].failures, 2u);
  EXPECT_FALSE(stats.endpoints[1].up);
  EXPECT_EQ(stats.endpoints[1].fails, 2u);
  EXPECT_EQ(stats.endpoints[1].requests, 0u);
  EXPECT_EQ(stats.endpoints[2].endpoint, "e3");
  EXPECT_TRUE(stats.endpoints[2].up);
}

}  // namespace
}  // namespace flotilla::gateway
