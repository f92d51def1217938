// The top level of the file: dispatches each section to its parser and fills the defaults that
// depend on where the file is (state_dir, admin socket).
#include <fmt/format.h>

#include "config/parse_sections.hpp"
#include "config/units.hpp"

namespace flotilla::config {
namespace {

const std::vector<std::string_view> kTopLevelKeys{
    "workers",     "listen", "services", "upstreams",       "routes",
    "compression", "admin",  "alerts",   "alertmanager",    "access_log",
    "state_dir",   "log",    "acme",     "trusted_proxies", "max_connections",
    "cache_stores", "rate_limits"};

ValueType<std::uint32_t> workers_type() {
  static constexpr std::int64_t kMaxWorkers = 1024;
  return {"'auto' or a thread count", [](std::string_view text) -> ParseResult<std::uint32_t> {
            if (text == "auto") return 0u;
            const auto count = parse_integer(text, 1, kMaxWorkers);
            if (!count) {
              return parse_error(
                  fmt::format("expected 'auto' or a thread count from 1 to {}, "
                              "got '{}'",
                              kMaxWorkers, text));
            }
            return static_cast<std::uint32_t>(*count);
          }};
}

}  // namespace

Spec parse_spec(LoadContext& ctx, const YAML::Node& root) {
  Spec spec;
  spec.source_file = ctx.file();
  spec.base_dir = ctx.base_dir();
  spec.state_dir = ctx.resolve(".flotilla");
  spec.admin.socket = ctx.resolve("flotilla.sock");
  const Entry document{root, "", "", to_pos(root.Mark()), to_pos(root.Mark())};
  if (!root.IsMap()) {
    ctx.error(document.value_pos,
              fmt::format("the configuration must be a mapping of sections (listen, services, "
                          "upstreams, routes...), got {}",
                          describe_node(root)));
    return spec;
  }
  const MapReader top(ctx, document, kTopLevelKeys, /*allow_extensions=*/true);
  top.read("workers", spec.workers, workers_type());
  if (const Entry* listen = top.find("listen")) parse_listeners(ctx, *listen, spec.listeners);
  if (const Entry* services = top.find("services")) parse_services(ctx, *services, spec.services);
  if (const Entry* upstreams = top.find("upstreams")) {
    parse_upstreams(ctx, *upstreams, spec.upstreams);
  }
  // Before the routes: a route's `compression` block starts from the global one.
  parse_compression(top, spec.compression);
  if (const Entry* routes = top.find("routes")) {
    parse_routes(ctx, *routes, spec.compression, spec.routes);
  }
  parse_rate_limits(top, spec.rate_limits);
  resolve_rate_limits(ctx, spec);
  parse_admin(top, spec.admin);
  parse_alerts(top, spec.alerts);
  parse_alertmanager(top, spec.alertmanager);
  parse_access_log(top, spec.access_log);
  top.read_path("state_dir", spec.state_dir);
  parse_log(top, spec.log);
  if (top.has("acme")) {
    spec.acme.emplace();
    parse_acme(top, *spec.acme, true);
  }
  complete_acme(ctx, spec);
  parse_global_protection(top, spec.protection);
  if (const Entry* stores = top.find("cache_stores")) {
    parse_cache_stores(ctx, *stores, spec.cache_stores);
  }
  complete_cache_stores(ctx, spec);
  return spec;
}

}  // namespace flotilla::config
