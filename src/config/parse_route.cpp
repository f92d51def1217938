// `routes:` — what the gateway does with a request, in file order: match on host and path
// prefix, then exactly one action (proxy to an upstream, serve static files, redirect), plus
// optional retry, timeouts, rate limit, cache and header rules.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "config/parse_sections.hpp"
#include "config/units.hpp"
#include "config/value_template.hpp"

namespace flotilla::config {
namespace {

const std::vector<std::string_view> kRouteKeys = [] {
  std::vector<std::string_view> keys{
      "match",       "upstream",    "static", "redirect", "retry",
      "timeouts",    "rate_limit",  "cache",  "headers",  "ignore_client_abort",
      "allow_trace", "compression", "hedge"};
  keys.insert(keys.end(), std::begin(kRouteProtectionKeys), std::end(kRouteProtectionKeys));
  return keys;
}();

const std::vector<std::pair<std::string_view, RetryOn>> kRetryConditions{
    {"error", RetryOn::error},
    {"timeout", RetryOn::timeout},
    {"invalid_header", RetryOn::invalid_header},
    {"http_500", RetryOn::http_500},
    {"http_502", RetryOn::http_502},
    {"http_503", RetryOn::http_503},
    {"http_504", RetryOn::http_504},
    {"http_429", RetryOn::http_429},
    {"crashed", RetryOn::crashed}};

// "example.com" or "*.example.com", stored lowercase (host names are case-insensitive); "*"
// alone is any host, like no host at all.
ValueType<std::string> host_pattern_type() {
  return {"a host name", [](std::string_view text) -> ParseResult<std::string> {
            if (text == "*") return std::string();
            std::string host(text);
            std::transform(host.begin(), host.end(), host.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            const std::string_view name =
                std::string_view(host).starts_with("*.") ? std::string_view(host).substr(2) : host;
            const auto check = parse_address(fmt::format("{}:1", name));
            if (name.empty() || name.find(':') != std::string_view::npos || !check) {
              return parse_error(
                  fmt::format("invalid host '{}': use a name such as example.com "
                              "or *.example.com, without a port",
                              text));
            }
            return host;
          }};
}

void read_match(const MapReader& r, RouteMatch& out) {
  const auto match = r.child("match", {"host", "path"});
  if (!match) return;
  match->read("host", out.host, host_pattern_type());
  match->read("path", out.path, url_path_type());
}

// `index` (a plain file name) and `fallback` (a relative path under root): never absolute,
// never a `.` or `..` segment, no NUL or backslash — they name files inside root only.
ValueType<std::string> static_name_type(bool slashes) {
  return {slashes ? "a path under root" : "a file name",
          [slashes](std::string_view text) -> ParseResult<std::string> {
            bool bad = text.empty() || text.front() == '/' ||
                       text.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos ||
                       (!slashes && text.find('/') != std::string_view::npos);
            std::size_t start = 0;
            while (!bad && start <= text.size()) {
              const std::size_t end = std::min(text.find('/', start), text.size());
              const std::string_view segment = text.substr(start, end - start);
              bad = segment.empty() || segment == "." || segment == "..";
              start = end + 1;
            }
            if (!bad) return std::string(text);
            return parse_error(
                slashes ? fmt::format("invalid '{}': a relative path under root (no leading '/', "
                                      "no '\\', '.', '..' or empty segments)",
                                      text)
                        : fmt::format("invalid '{}': a plain file name (no '/', '\\', '.' or '..')",
                                      text));
          }};
}

void read_static(const MapReader& action, StaticAction& out) {
  action.require("root");
  action.read_path("root", out.root);
  action.read("expires", out.expires, duration_type());
  action.read("immutable", out.immutable, bool_type());
  action.read("index", out.index, static_name_type(false));
  action.read("precompressed", out.precompressed, bool_type());
  action.read("fallback", out.fallback, static_name_type(true));
  action.read("follow_symlinks", out.follow_symlinks, bool_type());
  action.read("show_hidden", out.show_hidden, bool_type());
}

void read_redirect(const MapReader& action, RedirectAction& out) {
  action.require("to");
  action.read("to", out.to, redirect_target_type());
  action.read(
      "status", out.status,
      enum_type<int>("a redirect status",
                     {{"301", 301}, {"302", 302}, {"303", 303}, {"307", 307}, {"308", 308}}));
}

// Sets the action; returns false when there is no usable one (already reported).
bool read_action(const MapReader& r, Route& route) {
  const Entry* action = r.exactly_one({"upstream", "static", "redirect"});
  if (action == nullptr) return false;
  if (action->name == "upstream") {
    ProxyAction proxy;
    r.read("upstream", proxy.upstream, string_type());
    route.action = std::move(proxy);
    return true;
  }
  r.feature(action->name, action->name);
  if (action->name == "static") {
    const auto files = r.child("static", {"root", "index", "expires", "immutable", "precompressed",
                                          "fallback", "follow_symlinks", "show_hidden"});
    StaticAction out;
    if (files) read_static(*files, out);
    route.action = std::move(out);
  } else {
    const auto redirect = r.child("redirect", {"to", "status"});
    RedirectAction out;
    if (redirect) read_redirect(*redirect, out);
    route.action = std::move(out);
  }
  return true;
}

// `auto` or a positive duration.
ValueType<AdaptiveDuration> adaptive_duration_type() {
  return {"'auto' or a duration", [](std::string_view text) -> ParseResult<AdaptiveDuration> {
            if (text == "auto") return AdaptiveDuration{};
            auto parsed = positive_duration_type().parse(text);
            if (!parsed) return parse_error(parsed.error() + " (or 'auto')");
            return AdaptiveDuration{false, *parsed};
          }};
}

void read_hedge(const MapReader& r, Route& route) {
  const auto hedge = r.child("hedge", {"after", "max"});
  if (!hedge) return;
  Hedge out;
  hedge->read("after", out.after, adaptive_duration_type());
  hedge->read("max", out.max, count_type(1, 1));
  route.hedge = out;
}

void read_retry(const MapReader& r, Route& route) {
  const auto retry =
      r.child("retry", {"on", "tries", "timeout", "non_idempotent", "per_try_timeout"});
  r.feature("retry", "retry");
  if (!retry) return;
  constexpr std::uint32_t kMaxTries = 100;
  Retry out;
  if (retry->read_list("on", out.on, enum_type<RetryOn>("a retry condition", kRetryConditions)) &&
      out.on.empty()) {
    r.ctx().error(
        retry->find("on")->value_pos,
        fmt::format("{}.on: must not be empty (remove 'retry' to use the default)", retry->path()));
  }
  retry->read("tries", out.tries, count_type(1, kMaxTries));
  retry->read("timeout", out.timeout, duration_type());
  retry->read("non_idempotent", out.non_idempotent, bool_type());
  retry->read("per_try_timeout", out.per_try_timeout, adaptive_duration_type());
  route.retry = std::move(out);
}

void read_route_timeouts(const MapReader& r, RouteTimeouts& out) {
  const auto timeouts = r.child("timeouts", {"connect", "send", "read"});
  if (!timeouts) return;
  timeouts->read("connect", out.connect, positive_duration_type());
  timeouts->read("send", out.send, positive_duration_type());
  timeouts->read("read", out.read, positive_duration_type());
}

// Per-route switches; each is gated only when turned on.
void read_switches(const MapReader& r, Route& route) {
  if (r.read("ignore_client_abort", route.ignore_client_abort, bool_type()) &&
      route.ignore_client_abort) {
    r.feature("ignore_client_abort", "client_abort");
  }
  if (r.read("allow_trace", route.allow_trace, bool_type()) && route.allow_trace) {
    r.feature("allow_trace", "trace");
  }
}

// retry, timeouts and cache shape proxied responses; on static or redirect routes they would be
// silently ignored, so they are errors there.
void check_proxy_only_keys(const MapReader& r, const Route& route) {
  if (std::holds_alternative<ProxyAction>(route.action)) return;
  for (std::string_view key : {"retry", "hedge", "timeouts", "cache"}) {
    if (const Entry* entry = r.find(key)) {
      r.ctx().error(entry->key_pos,
                    fmt::format("{}: only applies to routes with an 'upstream'", entry->path));
    }
  }
}

void parse_route(LoadContext& ctx, const Entry& item, const Compression& global, Route& route) {
  const MapReader r(ctx, item, kRouteKeys);
  if (!r.is_map()) return;
  read_match(r, route.match);
  const bool has_action = read_action(r, route);
  read_retry(r, route);
  read_hedge(r, route);
  read_route_timeouts(r, route.timeouts);
  parse_rate_limit(r, route.rate_limit);
  parse_route_cache(r, route.cache);
  parse_header_rules(r, route.headers);
  read_switches(r, route);
  parse_route_protection(r, route.protection);
  if (r.has("compression")) {
    Compression compression = global;
    read_compression(r, compression);
    route.compression = std::move(compression);
  }
  if (has_action) check_proxy_only_keys(r, route);
}

}  // namespace

void parse_routes(LoadContext& ctx, const Entry& entry, const Compression& global,
                  std::vector<Route>& out) {
  for_each_item(ctx, entry, [&](const Entry& item, std::size_t) {
    Route route;  // always added, so routes[i] in messages stays spec.routes[i]
    route.pos = item.value_pos;
    parse_route(ctx, item, global, route);
    out.push_back(std::move(route));
  });
}

}  // namespace flotilla::config
