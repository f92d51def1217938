// `listen:` — the gateway's listeners: address, TLS (parse_tls.cpp), HTTP/2, HSTS, header rules,
// built-in health endpoints, client timeouts and request limits. A bare string is shorthand for
// { address: ... }.
#include <fmt/format.h>

#include "config/parse_sections.hpp"

namespace flotilla::config {
namespace {

const std::vector<std::string_view> kListenKeys{"address",  "tls",     "http2",  "redirect_https",
                                                "hsts",     "headers", "health", "ready",
                                                "timeouts", "limits"};

// hstspreload.org: max-age of at least one year, includeSubDomains and preload.
constexpr Duration kHstsPreloadAge = std::chrono::hours(365 * 24);

void read_address(LoadContext& ctx, const Entry& entry, Listener& listener) {
  auto address = convert(ctx, entry, address_type());
  if (!address) return;
  if (address->kind == Address::Kind::unix_socket) {
    address->path = ctx.resolve(address->path).string();
    ctx.use_feature("unix_listener", entry.value_pos, entry.path);
  }
  listener.address = std::move(*address);
}

// `hsts: true` (the defaults) or `hsts: { max_age, include_subdomains, preload }`.
void read_hsts(const MapReader& r, Listener& listener) {
  const Entry* entry = r.find("hsts");
  if (entry == nullptr) return;
  LoadContext& ctx = r.ctx();
  Hsts out;
  if (entry->value.IsScalar()) {
    bool on = false;
    if (!r.read("hsts", on, bool_type()) || !on) return;
  } else {
    const auto hsts = r.child("hsts", {"max_age", "include_subdomains", "preload"});
    if (!hsts) return;
    if (hsts->read("max_age", out.max_age, duration_type()) && out.max_age.count() % 1000 != 0) {
      ctx.error(hsts->find("max_age")->value_pos,
                fmt::format("{}.max_age: must be whole seconds", hsts->path()));
    }
    hsts->read("include_subdomains", out.include_subdomains, bool_type());
    const bool preload_ok = hsts->read("preload", out.preload, bool_type());
    if (preload_ok && out.preload && (!out.include_subdomains || out.max_age < kHstsPreloadAge)) {
      ctx.error(hsts->find("preload")->key_pos,
                fmt::format("{}.preload: the HSTS preload list (hstspreload.org) requires "
                            "include_subdomains: true and max_age of at least 1y",
                            hsts->path()));
    }
  }
  r.feature("hsts", "hsts");
  if (!r.has("tls")) {
    ctx.error(entry->key_pos, fmt::format("{}: only applies to a TLS listener (browsers ignore "
                                          "Strict-Transport-Security over plain HTTP)",
                                          entry->path));
    return;
  }
  listener.hsts = out;
}

void read_timeouts(const MapReader& r, ListenerTimeouts& out) {
  const auto timeouts = r.child("timeouts", {"client_header", "client_body", "keepalive"});
  if (!timeouts) return;
  timeouts->read("client_header", out.client_header, positive_duration_type());
  timeouts->read("client_body", out.client_body, positive_duration_type());
  timeouts->read("keepalive", out.keepalive, duration_type());  // 0 = no keep-alive
}

void read_limits(const MapReader& r, ListenerLimits& out) {
  const auto limits =
      r.child("limits", {"max_request_line", "max_header_bytes", "max_headers", "max_body"});
  if (!limits) return;
  constexpr std::uint32_t kMaxHeaders = 10000;
  limits->read("max_request_line", out.max_request_line, size_type());
  limits->read("max_header_bytes", out.max_header_bytes, size_type());
  limits->read("max_headers", out.max_headers, count_type(1, kMaxHeaders));
  limits->read("max_body", out.max_body, size_type());
}

void parse_listener(LoadContext& ctx, const Entry& item, Listener& listener) {
  if (item.value.IsScalar()) {  // "0.0.0.0:8080"
    read_address(ctx, item, listener);
    return;
  }
  const MapReader r(ctx, item, kListenKeys);
  if (!r.is_map()) return;
  r.require("address");
  if (const Entry* address = r.find("address")) read_address(ctx, *address, listener);
  parse_listener_tls(r, listener.tls);
  if (r.read("http2", listener.http2, bool_type()) && listener.http2) r.feature("http2", "http2");
  if (r.read("redirect_https", listener.redirect_https, bool_type()) && listener.redirect_https) {
    r.feature("redirect_https", "redirect_https");
    if (r.has("tls")) {
      ctx.error(r.find("redirect_https")->key_pos,
                fmt::format("{}.redirect_https: this listener already serves TLS; set it on the "
                            "plain-HTTP listener",
                            r.path()));
    }
  }
  read_hsts(r, listener);
  parse_header_rules(r, listener.headers);
  r.read("health", listener.health_path, url_path_type());
  r.read("ready", listener.ready_path, url_path_type());
  r.feature("health", "listener_health");
  r.feature("ready", "listener_health");
  read_timeouts(r, listener.timeouts);
  read_limits(r, listener.limits);
}

}  // namespace

void parse_listeners(LoadContext& ctx, const Entry& entry, std::vector<Listener>& out) {
  for_each_item(ctx, entry, [&](const Entry& item, std::size_t) {
    Listener listener;  // always added, so listen[i] in messages stays spec.listeners[i]
    listener.pos = item.value_pos;
    parse_listener(ctx, item, listener);
    out.push_back(std::move(listener));
  });
}

}  // namespace flotilla::config
