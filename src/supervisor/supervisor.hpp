// The supervisor: every service's replicas as child processes of flotilla, and the set of READY
// instances per service, reported the instant it changes. Runs on the control thread's
// io_context and must only be used from it. Never touches the gateway: the owner wires
// on_ready_changed into snapshot publication.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "config/spec.hpp"
#include "supervisor/instance_status.hpp"

namespace flotilla::supervisor {

class Instance;
struct SupervisorContext;

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

  // `on_ready_changed(service, ready)` is called on the control thread every time the set of
  // READY instances of a service with ports changes (never for workers), ordered by index.
  Supervisor(asio::io_context& control, const config::Spec& spec, ReadyCallback on_ready_changed,
             SupervisorOptions options = {});
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  // SIGKILLs whatever is still running (stop_all() is the graceful way) and removes the cgroups.
  ~Supervisor();

  void start();  // spawn every service's replicas
  // Graceful and final: every instance leaves rotation → drain → stop.signal → stop.grace →
  // SIGKILL of its group, all services in parallel; completes when every process is gone.
  // `drain = false`: the caller already drained the traffic (its gateway is stopped), so each
  // instance gets its stop signal at once instead of after SupervisorOptions::drain.
  asio::awaitable<void> stop_all(bool drain = true);

  std::vector<InstanceStatus> status() const;
  std::vector<InstanceEndpoint> ready_endpoints(const std::string& service) const;
  // Which cgroup v1 controllers are in use ("memory, cpu, cpuacct, pids" or "none").
  std::string cgroup_controllers() const;

 private:
  struct ServiceGroup {
    std::string name;
    bool routable = false;
    std::vector<std::shared_ptr<Instance>> instances;
    std::vector<InstanceEndpoint> published;
  };
  void publish_if_changed(ServiceGroup& group);

  asio::io_context& control_;
  ReadyCallback on_ready_changed_;
  std::shared_ptr<SupervisorContext> context_;
  std::vector<std::unique_ptr<ServiceGroup>> services_;
};

}  // namespace flotilla::supervisor
