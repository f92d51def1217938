#include "gateway/worker_stats.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace flotilla::gateway {

observe::GatewayStats merge_worker_stats(const std::vector<WorkerStats>& workers) {
  observe::GatewayStats stats;
  std::map<std::pair<std::string, std::string>, std::size_t> position;
  for (const WorkerStats& worker : workers) {
    stats.totals.merge(worker.shard);
    stats.active_connections += worker.active_connections;
    for (const EndpointReading& reading : worker.endpoints) {
      const auto [it, inserted] =
          position.try_emplace({reading.upstream, reading.endpoint}, stats.endpoints.size());
      if (inserted) {
        observe::EndpointStats fresh;
        fresh.upstream = reading.upstream;
        fresh.endpoint = reading.endpoint;
        stats.endpoints.push_back(std::move(fresh));
      }
      observe::EndpointStats& endpoint = stats.endpoints[it->second];
      endpoint.up = endpoint.up || reading.status.available;
      endpoint.in_flight += reading.status.in_flight;
      endpoint.fails += reading.status.fails;
      endpoint.stuck += reading.status.abandoned;
      endpoint.latency_ejections += reading.status.latency_ejections;
      endpoint.latency_p99_us = std::max(endpoint.latency_p99_us, reading.latency_p99_us);
      endpoint.latency_samples += reading.latency_samples;
    }
  }
  const auto& upstreams = stats.totals.upstreams();
  for (const observe::EndpointSeries& series : stats.totals.endpoints()) {
    const auto it = position.find({upstreams[series.upstream].name, series.key});
    if (series.upstream == observe::kNoSeries || it == position.end()) continue;
    observe::EndpointStats& endpoint = stats.endpoints[it->second];
    for (const std::uint64_t n : series.requests) endpoint.requests += n;
    using observe::AttemptOutcome;
    for (const AttemptOutcome outcome :
         {AttemptOutcome::status_5xx, AttemptOutcome::connect_error, AttemptOutcome::reset,
          AttemptOutcome::timeout, AttemptOutcome::invalid_header}) {
      endpoint.errors += series.requests[static_cast<std::size_t>(outcome)];
    }
    for (const std::uint64_t n : series.failures) endpoint.failures += n;
  }
  return stats;
}

}  // namespace flotilla::gateway
