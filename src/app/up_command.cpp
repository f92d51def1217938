// `flotilla up`: load the config, refuse features this build does not have yet, then run the
// gateway in the foreground until SIGTERM/SIGINT, draining in-flight requests before exiting.
// With no config at all: the embedded demo (arrives with the supervisor).
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <tuple>

#include <fmt/core.h>
#include <spdlog/spdlog.h>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/supported_features.hpp"
#include "config/feature_gate.hpp"
#include "config/loader.hpp"
#include "gateway/active_health_checker.hpp"
#include "gateway/gateway.hpp"
#include "gateway/snapshot_builder.hpp"

namespace flotilla::app {
namespace {

constexpr std::chrono::seconds kDrainGrace{30};

int print_errors(const std::vector<config::Diagnostic>& errors) {
  for (const config::Diagnostic& error : errors) {
    fmt::print(stderr, "{}\n", config::format_diagnostic(error));
  }
  return errors.empty() ? kExitOk : kExitFailure;
}

// Services need the supervisor, which this build does not have: refuse rather than ignore them.
std::vector<config::Diagnostic> unsupported_services(const config::Spec& spec) {
  std::vector<config::Diagnostic> errors;
  for (const config::Service& service : spec.services) {
    errors.push_back({spec.source_file, service.pos.line, service.pos.column,
                      fmt::format("not yet supported: services.{}", service.name)});
  }
  for (const config::Upstream& upstream : spec.upstreams) {
    if (!upstream.service) continue;
    errors.push_back({spec.source_file, upstream.pos.line, upstream.pos.column,
                      fmt::format("not yet supported: upstreams.{}.service", upstream.name)});
  }
  return errors;
}

int run_gateway(const config::Spec& spec) {
  std::vector<std::string> errors;
  std::vector<gateway::ListenerSettings> listeners = gateway::build_listener_settings(spec, errors);
  gateway::SnapshotBuilder snapshots(spec, errors);
  gateway::SnapshotPtr snapshot = snapshots.build();
  for (const std::string& error : errors) fmt::print(stderr, "flotilla up: {}\n", error);
  if (!errors.empty()) return kExitFailure;
  if (listeners.empty()) {
    fmt::print(stderr, "flotilla up: nothing to run: the configuration has no `listen:` entry\n");
    return kExitFailure;
  }

  gateway::Gateway gateway(std::move(listeners), spec.workers);
  std::string bind_error;
  if (!gateway.bind(bind_error)) {
    fmt::print(stderr, "flotilla up: {}\n", bind_error);
    return kExitFailure;
  }
  const gateway::SnapshotPtr first_snapshot = snapshot;
  gateway.publish(std::move(snapshot));

  // The control thread: signals now; supervision, probes and the admin API later.
  asio::io_context control(1);
  asio::signal_set signals(control, SIGINT, SIGTERM);
  std::signal(SIGPIPE, SIG_IGN);
  int received = 0;
  gateway::ActiveHealthChecker health_checker(
      control, [&gateway](const std::string& upstream, const std::string& key, bool up) {
        gateway.set_active_health(upstream, key, up);
      });
  signals.async_wait([&](std::error_code ec, int signal) {
    if (ec) return;
    received = signal;
    health_checker.stop();
    control.stop();
  });
  health_checker.configure(spec, *first_snapshot);

  gateway.start();
  for (const auto& endpoint : gateway.bound_endpoints()) {
    spdlog::info("gateway listening on {}:{} ({} workers)", endpoint.address().to_string(),
                 endpoint.port(), gateway.worker_count());
  }
  control.run();
  spdlog::info("received signal {}: draining (up to {} s)", received, kDrainGrace.count());
  gateway.drain_and_stop(kDrainGrace);
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace

int up_command(const UpOptions& options) {
  if (!options.config_given && !std::filesystem::exists(options.config_path)) {
    return not_yet_available("up", "the embedded demo arrives with the supervisor");
  }
  const config::LoadResult result = config::load_file(options.config_path);
  if (print_errors(result.errors) != kExitOk || !result.ok()) return kExitFailure;
  std::vector<config::Diagnostic> unsupported =
      config::unsupported_features(*result.spec, kSupportedFeatures);
  for (config::Diagnostic& error : unsupported_services(*result.spec)) {
    unsupported.push_back(std::move(error));
  }
  std::stable_sort(unsupported.begin(), unsupported.end(), [](const auto& a, const auto& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  if (print_errors(unsupported) != kExitOk) return kExitFailure;
  return run_gateway(*result.spec);
}

}  // namespace flotilla::app
