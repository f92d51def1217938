// `flotilla reload` / SIGHUP: re-read the config file; an invalid file changes nothing and says
// why. A valid one swaps routes and upstreams in one snapshot (in-flight requests finish on the
// old one, which they hold) and hands service changes to the supervisor. Sections read only at
// start are reported as such, and a file that changes nothing says so.
#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/runtime.hpp"
#include "app/supported_features.hpp"
#include "app/tls_check.hpp"
#include "config/feature_gate.hpp"
#include "config/loader.hpp"
#include "supervisor/revision.hpp"

namespace flotilla::app {
namespace {

std::vector<std::string> configured_listeners(const config::Spec& spec) {
  std::vector<std::string> out;
  for (const config::Listener& listener : spec.listeners) {
    out.push_back(fmt::format("{}:{}", listener.address.host, listener.address.port));
  }
  return out;
}

// What the supervisor should run after a reload: the new file's services, except that a service
// whose definition in the file did not change keeps what runs now — a `flotilla scale` or
// `rollout` since the last load is not undone by a reload that only touched routes (the file
// wins where it changed, as with `kubectl apply` of a changed field).
config::Spec services_to_apply(const config::Spec& previous, const config::Spec& next,
                               const supervisor::Supervisor& supervisor) {
  config::Spec effective = next;
  for (config::Service& service : effective.services) {
    const std::optional<config::Autoscale> autoscale = service.autoscale;
    const auto running = supervisor.current_spec(service.name);
    const auto before =
        std::find_if(previous.services.begin(), previous.services.end(),
                     [&](const config::Service& s) { return s.name == service.name; });
    const bool unchanged = before != previous.services.end() &&
                           supervisor::same_template(*before, service) &&
                           before->replicas == service.replicas;
    if (unchanged && running) {
      service = running.value();
      service.autoscale = autoscale;  // the file's policy, which restarts nothing
    }
    // An autoscaled service keeps the count the autoscaler (or `scale`) chose, within the
    // file's bounds: a reload does not throw the autoscaler's state away. A service that gains
    // `autoscale:` starts from the count it runs, as a new HPA takes over a Deployment's.
    if (autoscale && running) {
      service.replicas = std::clamp(running->replicas, autoscale->min, autoscale->max);
    }
  }
  return effective;
}

// What the gateway's snapshot is built from. Positions in the file say where, not what: a
// comment added above a route is no change.
// Which listeners speak TLS: fixed while flotilla runs (the listening sockets are).
std::vector<bool> tls_switches(const config::Spec& spec) {
  std::vector<bool> out;
  for (const config::Listener& listener : spec.listeners) out.push_back(listener.tls.has_value());
  return out;
}

bool same_gateway_config(const config::Spec& a, const config::Spec& b) {
  auto without_positions = [](const config::Spec& spec) {
    config::Spec out;
    out.listeners = spec.listeners;
    out.upstreams = spec.upstreams;
    out.routes = spec.routes;
    for (config::Listener& listener : out.listeners) listener.pos = {};
    for (config::Upstream& upstream : out.upstreams) upstream.pos = {};
    for (config::Route& route : out.routes) route.pos = {};
    return out;
  };
  return without_positions(a) == without_positions(b);
}

// Sections only read when flotilla starts: a reload must say they did not apply rather than
// pretend (listen addresses are reported on their own, with the listeners).
std::vector<std::string> start_only_changes(const config::Spec& before, const config::Spec& after) {
  std::vector<std::string> out;
  auto check = [&](bool same, std::string_view section) {
    if (!same) {
      out.push_back(fmt::format("{}: changes take effect at the next start of flotilla", section));
    }
  };
  check(before.workers == after.workers, "workers");
  check(before.admin == after.admin, "admin");
  check(before.state_dir == after.state_dir, "state_dir");
  check(before.log == after.log, "log");
  check(before.access_log == after.access_log, "access_log");
  check(before.alerts == after.alerts && before.alertmanager == after.alertmanager, "alerts");
  return out;
}

}  // namespace

// Both ways in (SIGHUP and POST /api/v1/reload) log the outcome here, the same way.
ReloadResult Runtime::reload() {
  if (!shutting_down_) notifier_.reloading();
  ReloadResult result = reload_config_file();
  if (!shutting_down_) {
    notifier_.ready(result.ok ? "reloaded" : "reload refused: the running configuration stays");
  }
  for (const std::string& error : result.errors) spdlog::error("reload: {}", error);
  for (const std::string& change : result.changes) spdlog::info("reload: {}", change);
  if (result.ok && result.changes.empty()) spdlog::info("reload: no change");
  return result;
}

ReloadResult Runtime::reload_config_file() {
  ReloadResult result;
  if (shutting_down_) {
    result.errors.push_back("flotilla is shutting down");
    return result;
  }
  if (options_.config_path.empty()) {
    result.errors.push_back("the embedded demo has no configuration file to reload");
    return result;
  }
  config::LoadResult loaded = config::load_file(options_.config_path);
  std::vector<config::Diagnostic> diagnostics = std::move(loaded.errors);
  if (loaded.spec) {
    for (config::Diagnostic& d : config::unsupported_features(*loaded.spec, kSupportedFeatures)) {
      diagnostics.push_back(std::move(d));
    }
  }
  for (const config::Diagnostic& d : diagnostics) {
    result.errors.push_back(config::format_diagnostic(d));
  }
  if (!result.errors.empty() || !loaded.spec) return result;

  // Certificates first: a bad new one (unreadable, key mismatch, expired) changes nothing.
  TlsCheck tls = check_tls_files(*loaded.spec, options_.config_path);
  if (!tls.errors.empty()) {
    result.errors = std::move(tls.errors);
    return result;
  }
  for (std::string& warning : tls.warnings) result.changes.push_back(std::move(warning));
  if (tls_switches(spec()) != tls_switches(*loaded.spec)) {
    result.errors.push_back(
        "listen: turning TLS on or off on a listener takes a restart of flotilla (the listener "
        "keeps serving as it does now)");
    return result;
  }

  // ACME: a domain new to the file gets a stored or temporary certificate before the TLS
  // contexts are built from it.
  std::vector<std::string> acme_notes;
  std::string acme_error;
  if (!acme::Manager::prepare(*loaded.spec, acme_notes, acme_error)) {
    result.errors.push_back(fmt::format("acme: {}", acme_error));
    return result;
  }

  auto next = std::make_shared<const config::Spec>(std::move(*loaded.spec));
  std::vector<std::string> errors;
  auto builder = std::make_unique<gateway::SnapshotBuilder>(*next, errors);
  if (!errors.empty()) {
    result.errors = std::move(errors);
    return result;
  }
  builder->set_bound_endpoints(gateway_->bound_endpoints());

  if (configured_listeners(*next) != configured_listeners(spec())) {
    result.changes.push_back("listen: address changes take effect at the next start of flotilla");
  }
  for (std::string& change : start_only_changes(spec(), *next)) {
    result.changes.push_back(std::move(change));
  }
  const bool gateway_changed = !same_gateway_config(spec(), *next);
  // With TLS, every reload reads the certificate files again (renewed in place, same config).
  const bool has_tls = uses_tls(*next);
  specs_.push_back(next);
  if (gateway_changed || has_tls) {
    snapshots_ = std::move(builder);
    publish_snapshot(true);
    certificate_files_ = gateway::tls_files(spec());
  }
  if (gateway_changed) {
    result.changes.push_back(fmt::format("routes and upstreams published: {} routes, {} upstreams",
                                         spec().routes.size(), spec().upstreams.size()));
  } else if (has_tls) {
    result.changes.push_back("TLS certificates reloaded");
  }
  for (std::string& note : acme_notes) result.changes.push_back(std::move(note));
  if (acme_) {
    for (std::string& change : acme_->update(spec())) result.changes.push_back(std::move(change));
  } else {
    start_acme();
    if (acme_) result.changes.push_back("acme: certificates are now obtained over ACME");
  }
  const config::Spec& previous = *specs_[specs_.size() - 2];
  for (std::string& change :
       supervisor_->apply(services_to_apply(previous, spec(), *supervisor_))) {
    result.changes.push_back(std::move(change));
  }
  result.ok = true;
  return result;
}

}  // namespace flotilla::app
