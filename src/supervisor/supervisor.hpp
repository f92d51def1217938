// The supervisor: every service's replicas as child processes of flotilla, the set of READY
// instances per service, reported the instant it changes, and the operations on them (scale,
// rollout with automatic rollback, rollback, restart, drain, reload) with each service's revision
// history on disk. Runs on the control thread's io_context and must only be used from it. Never
// touches the gateway: the owner wires on_ready_changed into snapshot publication.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "config/spec.hpp"
#include "supervisor/instance_status.hpp"
#include "supervisor/operation_results.hpp"
#include "supervisor/revision_history.hpp"

namespace flotilla::supervisor {

class Instance;
struct ServiceGroup;
struct SupervisorContext;
struct RunEnd;

struct SupervisorOptions {
  // Between an instance leaving rotation and its stop signal, so requests already routed to it
  // finish (bounded; the gateway's own drain covers longer requests).
  config::Duration drain{1000};
  // The environment instances inherit ("K=V"); empty = flotilla's own (environ).
  std::vector<std::string> environment;
};

class Supervisor {
 public:
  using ReadyCallback =
      std::function<void(const std::string& service, std::vector<InstanceEndpoint> ready)>;

  static constexpr std::uint32_t kMaxReplicas = 1000;

  // `on_ready_changed(service, ready)` is called on the control thread every time the set of
  // READY instances of a service with ports changes (never for workers), ordered by index.
  // Loads each service's revision history from <state_dir>/revisions/ (see revision_history.hpp).
  Supervisor(asio::io_context& control, const config::Spec& spec, ReadyCallback on_ready_changed,
             SupervisorOptions options = {});
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  // SIGKILLs whatever is still running (stop_all() is the graceful way) and removes the cgroups.
  ~Supervisor();

  // `listener` is told, on the control thread, each time a run of an instance ends (before the
  // ready set without it is reported). Set before start().
  void set_run_end_listener(std::function<void(const RunEnd&)> listener);

  void start();  // spawn every service's replicas
  // Graceful and final: running rollouts end (state failed), every instance leaves rotation →
  // drain → stop.signal → stop.grace → SIGKILL of its group, all services in parallel; completes
  // when every process is gone. No operation starts anything afterwards.
  // `drain = false`: the caller already drained the traffic (its gateway is stopped), so each
  // instance gets its stop signal at once instead of after SupervisorOptions::drain.
  asio::awaitable<void> stop_all(bool drain = true);
  // The operator will not wait (a second SIGTERM/SIGINT): every instance's group and cgroup get
  // SIGKILL now and nothing restarts. stop_all() still runs afterwards to reap and clean up.
  void kill_all_now();

  // ---- reads
  std::vector<InstanceStatus> status() const;         // every instance, by service then index
  std::vector<ServiceStatus> service_status() const;  // per service, file order
  std::vector<InstanceEndpoint> ready_endpoints(const std::string& service) const;
  OpResult<History> history(const std::string& service) const;
  // The last rollout of the service (running or finished); none if there was none.
  OpResult<std::optional<RolloutProgress>> rollout_status(const std::string& service) const;
  // The spec the service runs now with `replicas` = the desired count: the base for a rollout
  // request that changes only some fields (--command, --env, --replicas).
  OpResult<config::Service> current_spec(const std::string& service) const;
  // Which cgroup v1 controllers are in use ("memory, cpu, cpuacct, pids" or "none").
  std::string cgroup_controllers() const;

  // ---- operations (each returns at once; the processes change asynchronously)
  // Sets the desired count: scale-up starts instances on free ports, scale-down gracefully stops
  // the highest indexes first (drained instances count as surplus and go first). Errors: unknown
  // service, n > kMaxReplicas, n above the port range's size, a rollout in progress.
  OpResult<ScaleResult> scale(const std::string& service, std::uint32_t replicas);
  // Starts a rolling update to `spec` as a new revision (cause: "rollout", "reload", ...):
  // new instances (max_surge) → ready → old ones leave rotation, drain, stop (max_unavailable);
  // a new instance that exits, or is not ready within rollout.progress_deadline of its start,
  // rolls everything back to the previous revision (state rolled_back, message says why).
  // A spec whose template (all but replicas) equals the current one is a scale, not a revision:
  // the result is then already `succeeded` with revision == from_revision. Errors: unknown
  // service, "rollout in progress", replicas out of range / above the port range.
  OpResult<RolloutProgress> rollout(const std::string& service, config::Service spec,
                                    std::string cause = "rollout");
  // A rollout to revision `to` (default: the newest earlier revision that did not roll back and
  // would run something else than what runs now) with the current replica count, as a new
  // revision with cause "rollback to N". During a rollout (`to` absent or the revision it came
  // from) it ends that rollout instead, rolled back to where it came from like a missed
  // progress deadline, with the message "rollback requested" (kubectl's `rollout undo` of a
  // stuck rollout); the result is that rollout, with rollback_requested set.
  OpResult<RolloutProgress> rollback(const std::string& service,
                                     std::optional<std::uint32_t> to = std::nullopt);
  // Rolling restart: every instance replaced by a fresh one with the same spec, as a new
  // revision with cause "restart" (Kubernetes' `rollout restart` also makes one).
  OpResult<RolloutProgress> restart(const std::string& service);
  // Takes web/<index> out of rotation for good but leaves it running (HAProxy's drain): no new
  // requests, in-flight ones finish; it is not replaced. A later scale, rollout, rollback or
  // restart stops it (and starts a replacement as needed).
  OpResult<DrainResult> drain(const std::string& service, std::uint32_t index);
  // drain() undone: web/<index> goes back into rotation once ready.
  OpResult<DrainResult> undrain(const std::string& service, std::uint32_t index);
  // `flotilla stop web`: every instance stopped gracefully (scale to 0), remembering the count;
  // `start` brings that count back (compose's stop/start, systemctl's stop/start). A scale in
  // between wins and forgets the stop. Not during a rollout.
  OpResult<StopResult> stop_service(const std::string& service);
  OpResult<StopResult> start_service(const std::string& service);
  // A reloaded config's services: added → started, removed → stopped, template changed → rollout
  // (cause "reload"; queued behind a running rollout), only replicas changed → scale.
  // Returns one line per change ("web: rollout to revision 4 (reload)"); empty if none.
  std::vector<std::string> apply(const config::Spec& spec);

  // Completes when the service has no rollout running (at once if none): its last rollout, or
  // none for an unknown service or one that never had a rollout.
  asio::awaitable<std::optional<RolloutProgress>> wait_for_rollout(std::string service);

 private:
  std::shared_ptr<ServiceGroup> find(const std::string& service) const;
  std::shared_ptr<ServiceGroup> make_group(const config::Service& service);
  void save_history(const ServiceGroup& group) const;
  std::shared_ptr<Instance> create_instance(const std::shared_ptr<ServiceGroup>& group,
                                            const config::Service& spec, std::uint32_t revision);
  void stop_instance(const std::shared_ptr<ServiceGroup>& group,
                     const std::shared_ptr<Instance>& instance);
  void reconcile_replicas(const std::shared_ptr<ServiceGroup>& group);
  // Starts instances of the current revision up to the desired count, as free ports allow
  // (nothing while a rollout runs: it manages the counts itself).
  void top_up(const std::shared_ptr<ServiceGroup>& group);
  void publish_if_changed(ServiceGroup& group);
  std::optional<OpError> check_replicas(const config::Service& spec) const;
  OpResult<RolloutProgress> begin_rollout(const std::shared_ptr<ServiceGroup>& group,
                                          config::Service spec, std::string cause);
  asio::awaitable<void> run_rollout(std::shared_ptr<ServiceGroup> group, config::Service from,
                                    std::uint32_t from_revision);
  OpResult<RolloutProgress> abort_rollout(const std::shared_ptr<ServiceGroup>& group);
  asio::awaitable<void> roll_back(std::shared_ptr<ServiceGroup> group, config::Service from,
                                  std::uint32_t from_revision, std::string reason);
  void finish_rollout(const std::shared_ptr<ServiceGroup>& group, RolloutState state,
                      std::string message);
  bool rollout_aborted(const ServiceGroup& group) const;

  asio::io_context& control_;
  ReadyCallback on_ready_changed_;
  std::shared_ptr<SupervisorContext> context_;
  RevisionStore store_;
  std::vector<std::shared_ptr<ServiceGroup>> services_;
  std::vector<std::shared_ptr<ServiceGroup>> retiring_;  // removed by a reload, still stopping
  bool started_ = false;
  bool stopping_all_ = false;
};

}  // namespace flotilla::supervisor
