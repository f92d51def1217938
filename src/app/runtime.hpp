// The running flotilla behind `flotilla up`: wires the supervisor, the gateway, the active health
// checker and the admin API together on one control thread, owns the shutdown order and the
// reload. Wiring only — each piece's behaviour lives in its own module.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <asio/steady_timer.hpp>

#include "acme/manager.hpp"
#include "admin/server.hpp"
#include "app/state_dir_lock.hpp"
#include "app/systemd_notify.hpp"
#include "config/spec.hpp"
#include "gateway/active_health_checker.hpp"
#include "gateway/gateway.hpp"
#include "gateway/snapshot_builder.hpp"
#include "observe/alerts/alert_engine.hpp"
#include "observe/gateway_metrics.hpp"
#include "supervisor/supervisor.hpp"

namespace flotilla::app {

class AutoscaleLoop;
struct InstanceRecord;
class DashboardEndpoint;
class RuntimeOperations;

struct RuntimeOptions {
  std::filesystem::path config_path;  // empty: the embedded demo (nothing to reload)
  bool embedded_demo = false;         // print the demo's "where is everything" banner
  std::chrono::seconds drain_grace{30};
};

// What a reload did: on failure nothing changed and `errors` says why.
struct ReloadResult {
  bool ok = false;
  std::vector<std::string> errors;   // "file:line:col: message"
  std::vector<std::string> changes;  // human-readable, one per change
};

class Runtime {
 public:
  Runtime(std::shared_ptr<const config::Spec> spec, RuntimeOptions options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Runs until SIGTERM/SIGINT: stop accepting → finish in-flight requests → stop every instance
  // → returns 0. Returns non-zero (after printing why) when the configuration cannot start.
  int run();

  // Control thread: re-read the config file and apply it, or change nothing.
  ReloadResult reload();

  const config::Spec& spec() const { return *specs_.back(); }
  asio::io_context& control() { return control_; }
  supervisor::Supervisor& supervisor() { return *supervisor_; }
  std::chrono::steady_clock::time_point started_at() const { return started_at_; }
  std::string config_display() const;
  struct ListenerRow {
    std::string address;    // "ip:port" as bound
    std::string protocols;  // "h2,http/1.1", "h2c,http/1.1" or "http/1.1"
  };
  std::vector<ListenerRow> listener_rows() const;
  std::vector<observe::AlertStatus> alerts() const;
  // The autoscaler's view of a service ("autoscale" in status), null when it has none.
  nlohmann::json autoscale_json(const std::string& service) const;
  // "ip:port" of a service instance in rotation ("web/2"), or nullopt.
  std::optional<std::string> instance_address(const std::string& key) const;

  // Control thread: the workers' merged stats (nullopt once the gateway has stopped, or when
  // the workers do not answer within a bound).
  asio::awaitable<std::optional<observe::GatewayStats>> collect_gateway_stats();
  // Everything /metrics shows: the gateway's families plus the instances'.
  asio::awaitable<observe::MetricsView> collect_metrics();

  // runtime_certificates.cpp: every served certificate (ACME and files) for status and
  // `flotilla certs`; a forced ACME renewal (false: no ACME block has that domain).
  nlohmann::json certificates_json() const;
  bool renew_certificate(std::string_view domain);

 private:
  void on_ready_changed(const std::string& service,
                        std::vector<supervisor::InstanceEndpoint> ready);
  void publish_snapshot(bool config_changed);
  bool start_admin();
  // reload() without its logging.
  ReloadResult reload_config_file();
  void refresh_metrics_cache();
  // What the CLI reads to find this flotilla (instance_record.hpp).
  InstanceRecord instance_record() const;
  void wait_for_signals();
  void wait_for_second_stop_signal();
  void wait_for_reload_signal();
  asio::awaitable<void> shut_down();
  // TLS upkeep on the control thread: session-ticket keys rotate on schedule, and certificate
  // files replaced on disk are reloaded (a bad new one is refused and logged; the old stays).
  void schedule_tls_upkeep();
  void tls_upkeep();
  // ACME (runtime_certificates.cpp): temporary certificates before the contexts are built, the
  // manager after the gateway starts, and its new certificates swapped in.
  bool prepare_acme();
  void start_acme();
  void on_acme_certificate();
  void append_certificate_metrics(observe::MetricsView& view) const;

  // Held from the start of run() to the end of the process: one flotilla per state_dir.
  std::optional<StateDirLock> state_lock_;
  // Every Spec ever loaded stays alive: instances and in-flight work may still refer into one.
  std::vector<std::shared_ptr<const config::Spec>> specs_;
  RuntimeOptions options_;
  asio::io_context control_{1};
  asio::signal_set stop_signals_;
  asio::signal_set reload_signal_;
  SystemdNotifier notifier_{control_};
  gateway::ActiveHealthChecker health_checker_;
  std::unique_ptr<gateway::SnapshotBuilder> snapshots_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<supervisor::Supervisor> supervisor_;
  std::unique_ptr<RuntimeOperations> operations_;
  std::unique_ptr<DashboardEndpoint> dashboard_;  // its routes refer to operations_
  std::unique_ptr<admin::Server> admin_;
  std::unique_ptr<observe::AlertEngine> alert_engine_;
  std::unique_ptr<AutoscaleLoop> autoscaler_;
  std::unique_ptr<acme::Manager> acme_;
  // The gateway's families as of the last refresh: the alert engine's scrape is synchronous.
  observe::MetricsView gateway_metrics_;
  asio::steady_timer metrics_refresh_{control_};
  asio::steady_timer tls_timer_{control_};
  std::vector<gateway::WatchedFile> certificate_files_;
  std::chrono::steady_clock::time_point next_ticket_rotation_{};
  gateway::ServiceEndpoints service_endpoints_;
  std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point first_stop_signal_at_{};
  bool gateway_stopped_ = false;
  bool shutting_down_ = false;
};

}  // namespace flotilla::app
