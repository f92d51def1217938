// One upstream as one data-plane worker sees it: its endpoints' mutable state, its balancers and
// its retry budget. Single-threaded by design (one per worker per upstream): never shared, never
// locked, and select() never allocates. Allocation happens only in the constructor and update().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "upstream/balancer.hpp"
#include "upstream/endpoint_state.hpp"
#include "upstream/latency_window.hpp"
#include "upstream/outcome.hpp"
#include "upstream/outlier_detector.hpp"
#include "upstream/passive_health.hpp"
#include "upstream/prng.hpp"
#include "upstream/retry_budget.hpp"
#include "upstream/snapshot.hpp"
#include "upstream/tried_set.hpp"

namespace flotilla::upstream {

// Lifecycle: the worker builds one UpstreamState per upstream from its first snapshot and calls
// update() on the same object for every later snapshot, so requests in flight can keep a
// reference to it. Endpoint indices are only meaningful until the next update(); tickets and
// TriedSet entries (by serial) stay valid across updates.
class UpstreamState {
 public:
  // Endpoints of the first snapshot start at full weight (no slow start). `seed` seeds this
  // upstream's PRNG (tests pass a constant; workers something per-worker).
  UpstreamState(const UpstreamSpec& spec, std::uint64_t seed);

  UpstreamState(const UpstreamState&) = delete;
  UpstreamState& operator=(const UpstreamState&) = delete;

  // A new snapshot of this upstream. Endpoints matched by key keep their counters, ejection and
  // ramp (and take the new weight / backup flag); new ones start fresh, ramping up under
  // slow_start; removed ones are forgotten (their late results are ignored).
  void update(const UpstreamSpec& spec, TimePoint now);

  // The endpoint for the next attempt, or nullopt when none is available. Primaries that are
  // available and not in `tried` are considered first; the backups only when there is no such
  // primary (nginx `backup`: this includes a retry after every primary was tried). When nothing
  // at all is available, passive failure counts are cleared — nginx's "all peers failed, mark
  // them as live for quick recovery" — so the next request probes again; this one gets nullopt.
  std::optional<std::size_t> select(TimePoint now, std::string_view hash_key,
                                    const TriedSet& tried);

  // Bracket every attempt on an endpoint. on_request_end feeds in-flight, passive health
  // (failures: connection errors, timeouts, invalid heads, and statuses the route calls failures)
  // and outlier detection (errors: connection errors, timeouts, invalid heads and any 5xx).
  // With `now`, the attempt's latency (to its response head) is recorded in the upstream's
  // window when it ends with a response; attempts given up on are not recorded (their latency is
  // unknown, and recording the bound would hide the tail that caused it).
  [[nodiscard]] EndpointTicket on_request_start(std::size_t index, TimePoint now = {});
  void on_request_end(const EndpointTicket& ticket, const Outcome& outcome, TimePoint now);

  // Completed attempts' latencies over the last 10-20 s (per-try timeouts and hedge delays).
  const LatencyWindow& latency() const { return latency_; }
  // Its percentiles, refreshed at most every kSummaryRefresh as attempts end (what the request
  // path reads: a percentile is a walk over the histogram). The window spans 10-20 s, so a
  // summary 100 ms old says the same; refreshing more often only costs a walk per refresh.
  const LatencySummary& latency_summary() const { return summary_; }
  static constexpr Duration kSummaryRefresh{100};
  // How long an endpoint may hold requests without completing any while its peers complete
  // before it is ejected as stuck: max(kStallFloor, 8 × p99).
  static constexpr Duration kStallFloor{500};
  static constexpr std::uint32_t kMinStallSamples = 32;
  Duration stall_after() const;
  std::uint32_t latency_ejections() const { return latency_ejections_; }

  // The active health checker's verdict. Coming back up starts the slow-start ramp.
  void set_active_health(std::size_t index, bool up, TimePoint now);

  const UpstreamSpec& spec() const { return spec_; }
  std::size_t size() const { return states_.size(); }
  const EndpointSpec& endpoint(std::size_t index) const { return spec_.endpoints[index]; }
  bool available(std::size_t index, TimePoint now) const;
  std::size_t available_count(TimePoint now) const;
  EndpointStatus status(std::size_t index, TimePoint now) const;
  RetryBudget& retry_budget() { return retry_budget_; }
  const RetryBudget& retry_budget() const { return retry_budget_; }

 private:
  struct Group {
    std::vector<std::uint32_t> endpoints;  // indices into states_, in spec order
    std::unique_ptr<Balancer> balancer;
  };

  void install(const UpstreamSpec& spec, TimePoint now, bool ramp_new_endpoints);
  void rebuild_group(Group& group, bool backup);
  std::optional<std::size_t> select_in(Group& group, TimePoint now, std::string_view hash_key,
                                       const TriedSet& tried);
  std::optional<std::size_t> find(const EndpointTicket& ticket) const;
  std::uint32_t effective_weight(std::size_t index, TimePoint now) const;
  // True when the endpoint was ejected.
  bool record_error(std::size_t index, TimePoint now);
  bool try_eject(std::size_t index, TimePoint now);
  void eject_stalled(TimePoint now);

  UpstreamSpec spec_;
  PassiveHealthSettings passive_;
  OutlierDetector outlier_;
  RetryBudget retry_budget_;
  Prng rng_;
  std::vector<EndpointState> states_;  // parallel to spec_.endpoints
  Group primary_;
  Group backup_;
  std::vector<Candidate> candidates_;  // scratch for select(), reserved to the endpoint count
  std::uint64_t next_serial_ = 1;
  LatencyWindow latency_;
  LatencySummary summary_;
  TimePoint summary_at_{};
  TimePoint stalls_checked_{};
  std::uint32_t latency_ejections_ = 0;
};

}  // namespace flotilla::upstream
