// The data plane's metrics merged over all workers, and how they become Prometheus families:
// requests by method/status/route, the duration histogram, upstream attempts, failures and
// retries, endpoint health, in-flight requests and open connections. Data in, view out; no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "observe/metric_shard.hpp"
#include "observe/sample.hpp"

namespace flotilla::observe {

// One endpoint of the current snapshot, merged over the workers (also for `flotilla status`).
struct EndpointStats {
  std::string upstream;
  std::string endpoint;  // the endpoint's key: "10.0.0.1:80" or "web/2"
  // At least one worker would send to it (active check up, not passively down, not ejected).
  // Passive health is per worker, so "down" means every worker has taken it out.
  bool up = false;
  std::uint32_t in_flight = 0;  // attempts in progress
  std::uint32_t fails = 0;      // passive-health failures in the current fail_timeout window
  std::uint64_t requests = 0;   // attempts since start, any outcome
  std::uint64_t failures = 0;   // attempts that counted as endpoint failures since start
  // Attempts since start that ended in a 5xx, or broke (connect error, reset, timeout, invalid
  // header): what an operator calls this endpoint's errors, whatever passive health counts.
  std::uint64_t errors = 0;
  std::uint32_t stuck = 0;  // attempts given up on (per-try timeout, lost hedge) it may still hold
  std::uint64_t latency_ejections = 0;  // ejections for stalled or outlying latency
  // Its upstream's completed-try latency window: the largest p99 of any worker, samples summed.
  std::uint64_t latency_p99_us = 0;
  std::uint32_t latency_samples = 0;
};

struct GatewayStats {
  MetricShard totals;                    // every worker's shard merged
  std::vector<EndpointStats> endpoints;  // in snapshot order: upstream, then endpoint
  std::uint64_t active_connections = 0;  // client connections open now
};

// The families, in a fixed order; label sets sorted by name as sample.hpp requires.
MetricsView gateway_metrics_view(const GatewayStats& stats);

}  // namespace flotilla::observe
