// `flotilla reload` / SIGHUP: re-read the config file; an invalid file changes nothing and says
// why. A valid one swaps routes and upstreams in one snapshot (in-flight requests finish on the
// old one, which they hold) and hands service changes to the supervisor.
#include <fmt/format.h>

#include "app/runtime.hpp"
#include "app/supported_features.hpp"
#include "config/feature_gate.hpp"
#include "config/loader.hpp"

namespace flotilla::app {
namespace {

std::vector<std::string> configured_listeners(const config::Spec& spec) {
  std::vector<std::string> out;
  for (const config::Listener& listener : spec.listeners) {
    out.push_back(fmt::format("{}:{}", listener.address.host, listener.address.port));
  }
  return out;
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
  for (std::string& change : supervisor_->apply(spec()))
    result.changes.push_back(std::move(change));
  result.ok = true;
  return result;
}

}  // namespace flotilla::app
