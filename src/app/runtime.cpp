// `flotilla up`'s process: one control thread (this one) running signals, the supervisor, active
// health checks and (later) the admin API; the gateway's worker threads serve traffic from the
// snapshots published here. Ready-set changes of services become new snapshots at once.
#include "app/runtime.hpp"

#include <csignal>
#include <memory>
#include <thread>

#include <fmt/core.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include "app/exit_codes.hpp"
#include "gateway/active_health_checker.hpp"
#include "gateway/async.hpp"
#include "gateway/gateway.hpp"
#include "gateway/snapshot_builder.hpp"
#include "supervisor/supervisor.hpp"

namespace flotilla::app {
namespace {

// Active checks restart from "up" on every configure(); only upstreams that follow a service
// need that when the service's membership changes.
bool service_upstream_has_health_check(const config::Spec& spec) {
  for (const config::Upstream& upstream : spec.upstreams) {
    if (upstream.service && upstream.health_check) return true;
  }
  return false;
}

void print_banner(const config::Spec& spec, const gateway::Gateway& gateway, bool demo) {
  for (const auto& endpoint : gateway.bound_endpoints()) {
    spdlog::info("gateway listening on http://{}:{}/ ({} workers)", endpoint.address().to_string(),
                 endpoint.port(), gateway.worker_count());
  }
  for (const config::Service& service : spec.services) {
    spdlog::info("service {}: {} x {}{}", service.name, service.replicas, service.command.text,
                 service.ports
                     ? fmt::format(" (ports {}-{})", service.ports->first, service.ports->last)
                     : std::string{" (worker)"});
  }
  spdlog::info("instance logs in {}", (spec.state_dir / "logs").string());
  if (demo) {
    spdlog::info(
        "embedded demo: no flotilla.yaml here, so running 3 replicas of the bundled demo app. "
        "Try: curl http://127.0.0.1:8080/api/hello — Ctrl-C stops everything");
  }
}

class Runtime {
 public:
  Runtime(const config::Spec& spec, const RuntimeOptions& options)
      : spec_(spec),
        options_(options),
        signals_(control_, SIGINT, SIGTERM),
        health_checker_(control_,
                        [this](const std::string& upstream, const std::string& key, bool up) {
                          if (!gateway_stopped_) gateway_->set_active_health(upstream, key, up);
                        }) {}

  int run() {
    std::vector<std::string> errors;
    std::vector<gateway::ListenerSettings> listeners =
        gateway::build_listener_settings(spec_, errors);
    snapshots_ = std::make_unique<gateway::SnapshotBuilder>(spec_, errors);
    for (const std::string& error : errors) fmt::print(stderr, "flotilla up: {}\n", error);
    if (!errors.empty()) return kExitFailure;
    if (listeners.empty() && spec_.services.empty()) {
      fmt::print(stderr,
                 "flotilla up: nothing to run: the configuration has no `listen:` entry and no "
                 "`services:`\n");
      return kExitFailure;
    }

    gateway_ = std::make_unique<gateway::Gateway>(std::move(listeners), spec_.workers);
    std::string bind_error;
    if (!gateway_->bind(bind_error)) {
      fmt::print(stderr, "flotilla up: {}\n", bind_error);
      return kExitFailure;
    }
    gateway::SnapshotPtr first = snapshots_->build(service_endpoints_);
    gateway_->publish(first);
    health_checker_.configure(spec_, *first);

    supervisor_ = std::make_unique<supervisor::Supervisor>(
        control_, spec_,
        [this](const std::string& service, std::vector<supervisor::InstanceEndpoint> ready) {
          on_ready_changed(service, std::move(ready));
        });

    std::signal(SIGPIPE, SIG_IGN);
    signals_.async_wait([this](std::error_code ec, int signal) {
      if (ec) return;
      spdlog::info("received signal {} ({}): shutting down", signal, ::strsignal(signal));
      asio::co_spawn(control_, shut_down(), asio::detached);
    });

    gateway_->start();
    supervisor_->start();
    print_banner(spec_, *gateway_, options_.embedded_demo);
    control_.run();
    // Destroy the supervisor while the control io_context still exists (it owns handlers on it).
    supervisor_.reset();
    spdlog::info("stopped");
    return kExitOk;
  }

 private:
  void on_ready_changed(const std::string& service,
                        std::vector<supervisor::InstanceEndpoint> ready) {
    std::vector<gateway::ServiceEndpoint>& endpoints = service_endpoints_[service];
    endpoints.clear();
    for (supervisor::InstanceEndpoint& instance : ready) {
      endpoints.push_back({std::move(instance.key), std::move(instance.address)});
    }
    if (gateway_stopped_) return;
    gateway::SnapshotPtr snapshot = snapshots_->build(service_endpoints_);
    if (service_upstream_has_health_check(spec_)) health_checker_.configure(spec_, *snapshot);
    gateway_->publish(std::move(snapshot));
  }

  // Stop accepting and finish in-flight requests while the instances still serve them, then
  // stop every instance. The drain blocks, so it runs on its own thread and the control thread
  // keeps supervising (an instance crashing during the drain is still reaped).
  asio::awaitable<void> shut_down() {
    health_checker_.stop();
    asio::steady_timer drained(control_, asio::steady_timer::time_point::max());
    spdlog::info("draining in-flight requests (up to {} s)", options_.drain_grace.count());
    std::thread drainer([this, &drained] {
      gateway_->drain_and_stop(options_.drain_grace);
      asio::post(control_, [&drained] { drained.cancel(); });
    });
    co_await drained.async_wait(gateway::use_nothrow);
    drainer.join();
    gateway_stopped_ = true;
    // The gateway has drained and stopped: no request can reach an instance any more, so the
    // supervisor's per-instance drain would only delay the exit.
    co_await supervisor_->stop_all(/*drain=*/false);
    control_.stop();
  }

  const config::Spec& spec_;
  RuntimeOptions options_;
  asio::io_context control_{1};
  asio::signal_set signals_;
  gateway::ActiveHealthChecker health_checker_;
  std::unique_ptr<gateway::SnapshotBuilder> snapshots_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<supervisor::Supervisor> supervisor_;
  gateway::ServiceEndpoints service_endpoints_;
  bool gateway_stopped_ = false;
};

}  // namespace

int run_flotilla(const config::Spec& spec, const RuntimeOptions& options) {
  Runtime runtime(spec, options);
  return runtime.run();
}

}  // namespace flotilla::app
