// The section parsers the loader calls, one file each. Internal to the config module: each
// fills its part of the Spec from YAML, reporting every problem to the LoadContext, and never
// looks at other sections (cross-references are validate.cpp's job).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/load_context.hpp"
#include "config/node_reader.hpp"
#include "config/spec.hpp"

namespace flotilla::config {

// The whole document (parse_spec.cpp); `root` is the document's top node.
Spec parse_spec(LoadContext& ctx, const YAML::Node& root);

void parse_listeners(LoadContext& ctx, const Entry& entry, std::vector<Listener>& out);
void parse_services(LoadContext& ctx, const Entry& entry, std::vector<Service>& out);
void parse_probes(const MapReader& service, bool has_ports, Probes& out);
// parse_autoscale.cpp: `autoscale:` of a service whose ports and resources were read; sets
// `replicas` to its min.
void parse_autoscale(const MapReader& service, Service& out);

// The most instances one service may run (replicas, autoscale.max).
inline constexpr std::uint32_t kMaxReplicas = 1000;
void parse_upstreams(LoadContext& ctx, const Entry& entry, std::vector<Upstream>& out);
// `global` is the file's `compression`, which a route's own block overrides key by key.
void parse_routes(LoadContext& ctx, const Entry& entry, const Compression& global,
                  std::vector<Route>& out);

// parse_cache.cpp: a route's `cache:` (records the "cache" feature), the top-level
// `cache_stores:`, and, once the whole file is read, the `default` store added when needed and
// each route's store checked (errors at the route's `cache:`).
void parse_route_cache(const MapReader& route, std::optional<CachePolicy>& out);
void parse_cache_stores(LoadContext& ctx, const Entry& entry, std::vector<CacheStore>& out);
void complete_cache_stores(LoadContext& ctx, Spec& spec);

// parse_rate_limit.cpp: a route's `rate_limit` (records "rate_limit"), the top-level
// `rate_limits:`, and, once both are read, routes naming a limit get its settings.
void parse_rate_limit(const MapReader& route, std::optional<RateLimit>& out);
void parse_rate_limits(const MapReader& top, std::vector<RateLimit>& out);
void resolve_rate_limits(LoadContext& ctx, Spec& spec);
// `headers:` under a listener or route (parse_headers.cpp); records the "headers" feature.
void parse_header_rules(const MapReader& parent, std::optional<HeaderRules>& out);

// `tls:` under a listener / an upstream (parse_tls.cpp); record "tls" / "upstream_tls".
void parse_listener_tls(const MapReader& listener, std::optional<Tls>& out);
void parse_upstream_tls(const MapReader& upstream, std::optional<UpstreamTls>& out);
// parse_acme.cpp: `acme:` under `parent` (the top level or a listener's tls); then, once the
// whole file is read, each listener's block completed from the top-level one and given its
// certificate paths under state_dir (errors at the listener's `acme:`).
void parse_acme(const MapReader& parent, Acme& out, bool top_level);
void complete_acme(LoadContext& ctx, Spec& spec);

// parse_misc.cpp: the small top-level sections.
void parse_compression(const MapReader& top, Compression& out);
// `compression: true|false` or a block under `parent`, applied onto `out`.
void read_compression(const MapReader& parent, Compression& out);
void parse_admin(const MapReader& top, Admin& out);
void parse_alerts(const MapReader& top, Alerts& out);
void parse_alertmanager(const MapReader& top, std::optional<Alertmanager>& out);
void parse_access_log(const MapReader& top, AccessLog& out);
void parse_log(const MapReader& top, LogConfig& out);

// parse_protection.cpp: access rules, trusted proxies, PROXY protocol, connection limits.
void parse_global_protection(const MapReader& top, GlobalProtection& out);
void parse_listener_protection(const MapReader& listener, ListenerProtection& out);
void parse_route_protection(const MapReader& route, RouteProtection& out);
// Keys they read, for the callers' key lists.
inline constexpr std::string_view kListenerProtectionKeys[] = {
    "allow",           "deny",
    "trusted_proxies", "proxy_protocol",
    "max_connections", "max_connections_per_client",
    "min_rate"};
inline constexpr std::string_view kRouteProtectionKeys[] = {"allow", "deny", "methods", "block"};

// A command given as a string (split like a shell would, or run by /bin/sh when `shell`) or
// as a list (the argv itself).
std::optional<Command> parse_command(LoadContext& ctx, const Entry& entry, bool shell);

// Durations where 0 makes no sense (periods, timeouts).
ValueType<Duration> positive_duration_type();

// Name rules; each returns a message for a bad name, or "" when the name is fine.
std::string check_object_name(std::string_view name);  // services, upstreams
std::string check_env_name(std::string_view name);
std::string check_header_name(std::string_view name);
// A header name the config may set, add or remove: not one the proxy manages (Content-Length,
// Transfer-Encoding, Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade).
std::string check_editable_header_name(std::string_view name);
bool header_names_equal(std::string_view a, std::string_view b);  // ASCII case-insensitive
// A string value that must pass one of the checks above.
ValueType<std::string> checked_name_type(std::string_view expected,
                                         std::string (*check)(std::string_view));

// Parses `entry` as a mapping of NAME: {...}; for each name calls `parse` with the name checked.
void for_each_named(LoadContext& ctx, const Entry& entry,
                    const std::function<void(const Entry& named)>& parse);

}  // namespace flotilla::config
