// `flotilla up`'s process: one control thread (this one) running signals, the supervisor, active
// health checks and the admin API; the gateway's worker threads serve traffic from the snapshots
// published here. Ready-set changes of services become new snapshots at once.
#include "app/runtime.hpp"
#include "app/tls_check.hpp"

#include <csignal>
#include <cstring>
#include <thread>

#include <unistd.h>

#include <ctime>

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "app/autoscale_loop.hpp"
#include "app/dashboard_endpoint.hpp"
#include "app/exit_codes.hpp"
#include "app/instance_record.hpp"
#include "app/runtime_operations.hpp"
#include "net/async.hpp"
#include "supervisor/exit_cause.hpp"

namespace flotilla::app {
namespace {

// How often certificate files are looked at (nginx needs a reload; Caddy and Traefik watch).
constexpr std::chrono::seconds kCertificatePoll{5};
// A second stop signal sooner than this after the first is the same request arriving twice.
constexpr std::chrono::milliseconds kSignalEcho{1000};

}  // namespace
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
  const std::vector<asio::ip::tcp::endpoint> endpoints = gateway.bound_endpoints();
  std::size_t index = 0;
  for (const config::Listener& listener : spec.listeners) {
    if (listener.address.kind != config::Address::Kind::tcp || index >= endpoints.size()) continue;
    const asio::ip::tcp::endpoint& endpoint = endpoints[index++];
    spdlog::info("gateway listening on {}://{}:{}/ ({} workers{})", listener.tls ? "https" : "http",
                 endpoint.address().to_string(), endpoint.port(), gateway.worker_count(),
                 !listener.http2 ? ""
                 : listener.tls  ? ", HTTP/2 by ALPN"
                                 : ", HTTP/2 with prior knowledge");
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

}  // namespace

Runtime::Runtime(std::shared_ptr<const config::Spec> spec, RuntimeOptions options)
    : options_(std::move(options)),
      stop_signals_(control_, SIGINT, SIGTERM),
      reload_signal_(control_, SIGHUP),
      health_checker_(control_,
                      [this](const std::string& upstream, const std::string& key, bool up) {
                        if (!gateway_stopped_) gateway_->set_active_health(upstream, key, up);
                      }) {
  specs_.push_back(std::move(spec));
}

Runtime::~Runtime() {
  // Handlers on the control io_context refer to these: they go first, in dependency order.
  acme_.reset();
  autoscaler_.reset();
  alert_engine_.reset();
  admin_.reset();
  supervisor_.reset();
}

int Runtime::run() {
  // First of all: a second flotilla on the same state must not bind, spawn, or rewrite the
  // revision history of the running one before finding out it cannot start.
  if (!spec().state_dir.empty()) {
    std::string lock_error;
    std::optional<StateDirLock> lock = StateDirLock::acquire(spec().state_dir, lock_error);
    if (!lock) {
      fmt::print(stderr, "flotilla up: {}\n", lock_error);
      return kExitFailure;
    }
    state_lock_.emplace(std::move(*lock));
  }
  if (!prepare_acme()) return kExitFailure;
  const TlsCheck tls = check_tls_files(spec(), options_.config_path);
  for (const std::string& warning : tls.warnings) spdlog::warn("{}", warning);
  for (const std::string& error : tls.errors) fmt::print(stderr, "flotilla up: {}\n", error);
  if (!tls.errors.empty()) return kExitFailure;
  std::vector<std::string> errors;
  std::vector<gateway::ListenerSettings> listeners =
      gateway::build_listener_settings(spec(), errors);
  snapshots_ = std::make_unique<gateway::SnapshotBuilder>(spec(), errors);
  for (const std::string& error : errors) fmt::print(stderr, "flotilla up: {}\n", error);
  if (!errors.empty()) return kExitFailure;
  if (listeners.empty() && spec().services.empty()) {
    fmt::print(stderr,
               "flotilla up: nothing to run: the configuration has no `listen:` entry and no "
               "`services:`\n");
    return kExitFailure;
  }

  gateway_ = std::make_unique<gateway::Gateway>(std::move(listeners), spec().workers);
  std::string bind_error;
  if (!gateway_->bind(bind_error)) {
    fmt::print(stderr, "flotilla up: {}\n", bind_error);
    return kExitFailure;
  }
  snapshots_->set_bound_endpoints(gateway_->bound_endpoints());
  if (spec().access_log.enabled && !gateway_->open_access_log(spec().access_log, bind_error)) {
    fmt::print(stderr, "flotilla up: {}\n", bind_error);  // it names access_log itself
    return kExitFailure;
  }
  publish_snapshot(true);
  if (uses_tls(spec())) {
    certificate_files_ = gateway::tls_files(spec());
    tls_upkeep();  // the first ticket keys, before the workers accept
  }

  supervisor_ = std::make_unique<supervisor::Supervisor>(
      control_, spec(),
      [this](const std::string& service, std::vector<supervisor::InstanceEndpoint> ready) {
        on_ready_changed(service, std::move(ready));
      });

  gateway_->enable_crash_verdicts(control_.get_executor());
  supervisor_->set_run_end_listener([this](const supervisor::RunEnd& end) {
    if (!gateway_stopped_ && !shutting_down_ && !end.address.empty()) {
      gateway_->run_ended(end.address, end.service, end.crashed);
    }
  });
  if (!start_admin()) return kExitFailure;

  std::signal(SIGPIPE, SIG_IGN);
  wait_for_signals();
  gateway_->start();
  supervisor_->start();
  autoscaler_ = std::make_unique<AutoscaleLoop>(*this);
  autoscaler_->start();
  start_acme();
  admin_->start();
  alert_engine_->start();
  refresh_metrics_cache();
  print_banner(spec(), *gateway_, options_.embedded_demo);
  if (const auto admin_endpoint = admin_->tcp_endpoint()) {
    spdlog::info(
        "dashboard at http://{0}:{1}/ (admin API, metrics and alerts on http://{0}:{1}/: "
        "curl .../api/v1/status)",
        admin_endpoint->address().to_string(), admin_endpoint->port());
  }
  if (!admin_->socket_path().empty()) {
    spdlog::info("admin socket {} (flotilla status, scale, rollout, ... use it)",
                 admin_->socket_path().string());
  }
  const InstanceRecord record = instance_record();
  write_instance_record(record);
  notifier_.ready(fmt::format("listening; {} service(s)", spec().services.size()));
  control_.run();
  remove_instance_record(record);
  spdlog::info("stopped");
  return kExitOk;
}

InstanceRecord Runtime::instance_record() const {
  InstanceRecord record;
  record.pid = static_cast<int>(::getpid());
  record.config = options_.config_path.string();
  record.state_dir = spec().state_dir.string();
  record.admin_socket = admin_->socket_path().string();
  if (const auto endpoint = admin_->tcp_endpoint()) {
    record.admin_url =
        fmt::format("http://{}:{}", endpoint->address().to_string(), endpoint->port());
  }
  record.started = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)));
  return record;
}

void Runtime::wait_for_signals() {
  stop_signals_.async_wait([this](std::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {} ({}): shutting down (send it again to stop at once)", signal,
                 ::strsignal(signal));
    first_stop_signal_at_ = std::chrono::steady_clock::now();
    asio::co_spawn(control_, shut_down(), asio::detached);
    wait_for_second_stop_signal();
  });
  wait_for_reload_signal();
}

// Like a second Ctrl-C to `docker compose up`: the operator will not wait for the drain or the
// instances' stop grace. Open requests are cut and every instance is SIGKILLed; shut_down()
// goes on from where it is, so everything is still reaped and cleaned up.
// A signal sent to the whole process group (Ctrl-C in a terminal, `kill -TERM -PGID`, a
// container runtime) can reach flotilla twice for one intent; one within kSignalEcho of the
// first counts as that first one.
void Runtime::wait_for_second_stop_signal() {
  stop_signals_.async_wait([this](std::error_code ec, int signal) {
    if (ec) return;
    if (std::chrono::steady_clock::now() - first_stop_signal_at_ < kSignalEcho) {
      spdlog::info(
          "received signal {} ({}) again within {} ms of the first: taken as the same "
          "request (send it again later to stop at once)",
          signal, ::strsignal(signal), kSignalEcho.count());
      wait_for_second_stop_signal();
      return;
    }
    spdlog::warn(
        "received signal {} ({}) again: stopping at once (open requests are cut, "
        "instances get SIGKILL)",
        signal, ::strsignal(signal));
    gateway_->cut_drain();
    supervisor_->kill_all_now();
  });
}

void Runtime::wait_for_reload_signal() {
  reload_signal_.async_wait([this](std::error_code ec, int) {
    if (ec || shutting_down_) return;
    spdlog::info("received SIGHUP: reloading {}", options_.config_path.string());
    reload();  // logs its outcome
    wait_for_reload_signal();
  });
}

void Runtime::on_ready_changed(const std::string& service,
                               std::vector<supervisor::InstanceEndpoint> ready) {
  std::vector<gateway::ServiceEndpoint>& endpoints = service_endpoints_[service];
  endpoints.clear();
  for (supervisor::InstanceEndpoint& instance : ready) {
    endpoints.push_back({std::move(instance.key), std::move(instance.address)});
  }
  if (gateway_stopped_) return;
  publish_snapshot(false);
}

void Runtime::schedule_tls_upkeep() {
  tls_timer_.expires_after(kCertificatePoll);
  tls_timer_.async_wait([this](std::error_code ec) {
    if (!ec && !shutting_down_) tls_upkeep();
  });
}

void Runtime::tls_upkeep() {
  const auto now = std::chrono::steady_clock::now();
  if (now >= next_ticket_rotation_) {
    gateway_->rotate_ticket_keys();
    next_ticket_rotation_ = now + ticket_key_rotation(spec());
  }
  std::vector<gateway::WatchedFile> files = gateway::tls_files(spec());
  if (files != certificate_files_) {
    certificate_files_ = std::move(files);
    std::vector<std::string> errors;
    if (snapshots_->reload_certificates(errors)) {
      spdlog::info("TLS files changed on disk: certificates reloaded");
      publish_snapshot(false);
    } else {
      for (const std::string& error : errors) {
        spdlog::error("TLS files changed on disk but cannot be used, the old certificates stay: {}",
                      error);
      }
    }
  }
  schedule_tls_upkeep();
}

void Runtime::publish_snapshot(bool config_changed) {
  gateway::SnapshotPtr snapshot = snapshots_->build(service_endpoints_);
  // Active checks follow the config; on membership changes only where a service is checked.
  if (config_changed || service_upstream_has_health_check(spec())) {
    health_checker_.configure(spec(), *snapshot);
  }
  gateway_->publish(std::move(snapshot));
}

// Stop accepting and finish in-flight requests while the instances still serve them, then
// stop every instance. The drain blocks, so it runs on its own thread and the control thread
// keeps supervising (an instance crashing during the drain is still reaped).
asio::awaitable<void> Runtime::shut_down() {
  if (shutting_down_) co_return;
  shutting_down_ = true;
  notifier_.stopping();
  reload_signal_.cancel();
  health_checker_.stop();
  alert_engine_->stop();
  if (autoscaler_) autoscaler_->stop();
  if (acme_) acme_->stop();
  metrics_refresh_.cancel();
  tls_timer_.cancel();
  gateway_->close_crash_verdicts();  // the drain thread tears the workers down
  asio::steady_timer drained(control_, asio::steady_timer::time_point::max());
  spdlog::info("draining in-flight requests (up to {} s)", options_.drain_grace.count());
  std::thread drainer([this, &drained] {
    gateway_->drain_and_stop(options_.drain_grace);
    asio::post(control_, [&drained] { drained.cancel(); });
  });
  co_await drained.async_wait(net::use_nothrow);
  drainer.join();
  gateway_stopped_ = true;
  // The gateway has drained and stopped: no request can reach an instance any more, so the
  // supervisor's per-instance drain would only delay the exit.
  co_await supervisor_->stop_all(/*drain=*/false);
  admin_->stop();
  control_.stop();
}

}  // namespace flotilla::app
