// What a scrape takes from one worker (a copy of its metric shard and its endpoints' health, made
// on the worker's own thread), and how the copies of all workers merge into one GatewayStats.
// Plain data and a pure merge; the posting to and from workers lives in gateway.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "observe/gateway_metrics.hpp"
#include "observe/metric_shard.hpp"
#include "upstream/endpoint_state.hpp"

namespace flotilla::gateway {

struct EndpointReading {
  std::string upstream;
  std::string endpoint;  // key
  upstream::EndpointStatus status;
  // The upstream's latency window in this worker (the same for each of its endpoints).
  std::uint64_t latency_p99_us = 0;
  std::uint32_t latency_samples = 0;
};

struct WorkerStats {
  observe::MetricShard shard;
  std::vector<EndpointReading> endpoints;  // the worker's current snapshot, in order
  std::size_t active_connections = 0;
};

// Endpoints appear in the order of the first worker that knows them; an endpoint is up when any
// worker would use it, its in-flight and fails are summed, requests and failures come from the
// merged counters.
observe::GatewayStats merge_worker_stats(const std::vector<WorkerStats>& workers);

}  // namespace flotilla::gateway
