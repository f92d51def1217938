// The supervisor's state for one service: the current revision's spec, the live instances (of
// every revision while a rollout runs, stopping ones included), what was last published to the
// gateway, the revision history and the current or last rollout. Internal to src/supervisor/;
// control thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "config/spec.hpp"
#include "supervisor/instance.hpp"
#include "supervisor/operation_results.hpp"
#include "supervisor/revision_history.hpp"

namespace flotilla::supervisor {

struct ServiceGroup {
  std::string name;
  config::Service spec;  // the current revision's, with `replicas` = the desired count now
  History history;
  std::vector<std::shared_ptr<Instance>> instances;  // by index
  std::vector<InstanceEndpoint> published;
  std::optional<RolloutProgress> rollout;  // the running or the last one
  bool rollout_running = false;
  // Set by a rollback while the rollout runs: the rollout ends with this as its reason and
  // rolls back. Cleared when the rollout finishes.
  std::string abort_reason;
  // A change that arrived while a rollout ran (the newest wins); started when it ends.
  struct Pending {
    config::Service spec;
    std::string cause;
  };
  std::optional<Pending> pending;
  bool removed = false;  // dropped by a reload: its instances are stopping
  // `flotilla stop SERVICE`: the replica count to come back to on `start` (a scale clears it).
  std::optional<std::uint32_t> stopped_from;
  // Coroutines waiting for any change of this service's instances (woken by notify()).
  std::vector<asio::steady_timer*> waiters;

  void notify() {
    for (asio::steady_timer* waiter : waiters) waiter->cancel();
  }
};

// Returns when any instance of the group changed (or the group's rollout ended), or after
// `at_most`: callers re-check their condition either way, so a missed wake-up only costs time.
asio::awaitable<void> wait_for_change(ServiceGroup& group, asio::io_context& io,
                                      config::Duration at_most);

}  // namespace flotilla::supervisor
