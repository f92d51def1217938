// `flotilla reload` / SIGHUP: re-read the config file; an invalid file changes nothing and says
// why. A valid one swaps routes and upstreams in one snapshot (in-flight requests finish on the
// old one, which they hold) and hands service changes to the supervisor.
#include <algorithm>

#include <fmt/format.h>

#include "app/runtime.hpp"
#include "app/supported_features.hpp"
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
    const auto before =
        std::find_if(previous.services.begin(), previous.services.end(),
                     [&](const config::Service& s) { return s.name == service.name; });
    if (before == previous.services.end() || !supervisor::same_template(*before, service) ||
        before->replicas != service.replicas) {
      continue;
    }
    auto running = supervisor.current_spec(service.name);
    if (running) service = std::move(running.value());
  }
  return effective;
}

}  // namespace

ReloadResult Runtime::reload() {
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

  auto next = std::make_shared<const config::Spec>(std::move(*loaded.spec));
  std::vector<std::string> errors;
  auto builder = std::make_unique<gateway::SnapshotBuilder>(*next, errors);
  if (!errors.empty()) {
    result.errors = std::move(errors);
    return result;
  }

  if (configured_listeners(*next) != configured_listeners(spec())) {
    result.changes.push_back("listen: address changes take effect at the next start of flotilla");
  }
  specs_.push_back(next);
  snapshots_ = std::move(builder);
  publish_snapshot(true);
  result.changes.push_back(fmt::format("routes and upstreams published: {} routes, {} upstreams",
                                       spec().routes.size(), spec().upstreams.size()));
  const config::Spec& previous = *specs_[specs_.size() - 2];
  for (std::string& change :
       supervisor_->apply(services_to_apply(previous, spec(), *supervisor_))) {
    result.changes.push_back(std::move(change));
  }
  result.ok = true;
  return result;
}

}  // namespace flotilla::app
