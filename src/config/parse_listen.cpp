// `listen:` — the gateway's listeners: address, TLS (parse_tls.cpp), HTTP/2, HSTS, header rules,
// built-in health endpoints, client timeouts and request limits. A bare string is shorthand for
// { address: ... }.
#include <fmt/format.h>

#include "config/parse_sections.hpp"

namespace flotilla::config {
namespace {

const std::vector<std::string_view> kListenKeys = [] {
  std::vector<std::string_view> keys{"address", "tls",    "http2", "redirect_https", "hsts",
                                     "headers", "health", "ready", "timeouts",       "limits"};
  keys.insert(keys.end(), std::begin(kListenerProtectionKeys), std::end(kListenerProtectionKeys));
  return keys;
}();

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

// A size the RFC bounds: reported at the value, with the range.
void read_bounded_size(const MapReader& r, std::string_view key, std::uint64_t& out,
                       std::uint64_t min, std::uint64_t max, std::string_view rule) {
  std::uint64_t value = 0;
  if (!r.read(key, value, size_type())) return;
  if (value < min || value > max) {
    r.ctx().error(r.find(key)->value_pos, fmt::format("{}.{}: must be {}..{} ({}), got {}",
                                                      r.path(), key, min, max, rule, value));
    return;
  }
  out = value;
}

void read_floods(const MapReader& r, Http2FloodBudgets& out) {
  const auto floods = r.child(
      "floods", {"resets", "pings", "settings", "empty_data", "window_updates", "continuations"});
  if (!floods) return;
  constexpr std::uint32_t kMaxRate = 1'000'000;
  floods->read("resets", out.resets, count_type(1, kMaxRate));
  floods->read("pings", out.pings, count_type(1, kMaxRate));
  floods->read("settings", out.settings, count_type(1, kMaxRate));
  floods->read("empty_data", out.empty_data, count_type(1, kMaxRate));
  floods->read("window_updates", out.window_updates, count_type(1, kMaxRate));
  floods->read("continuations", out.continuations, count_type(1, 1000));
}

// `http2: true`, or `http2: { max_concurrent_streams, initial_window, ... }` (on with settings).
void read_http2(const MapReader& r, Listener& listener) {
  const Entry* entry = r.find("http2");
  if (entry == nullptr) return;
  if (entry->value.IsScalar()) {
    if (r.read("http2", listener.http2, bool_type()) && listener.http2) r.feature("http2", "http2");
    return;
  }
  const auto h2 = r.child(
      "http2", {"max_concurrent_streams", "initial_window", "connection_window", "max_header_list",
                "hpack_table", "max_frame_size", "idle_timeout", "floods"});
  if (!h2) return;
  listener.http2 = true;
  r.feature("http2", "http2");
  Http2Settings& out = listener.h2;
  constexpr std::uint64_t kMaxWindow = (1ULL << 31) - 1;  // RFC 9113 §6.9.1
  h2->read("max_concurrent_streams", out.max_concurrent_streams, count_type(1, 1U << 20));
  read_bounded_size(*h2, "initial_window", out.initial_window, 1, kMaxWindow,
                    "RFC 9113 §6.9.2: at most 2^31-1");
  read_bounded_size(*h2, "connection_window", out.connection_window, 65535, kMaxWindow,
                    "RFC 9113 §6.9: from the initial 65535 up to 2^31-1");
  std::uint64_t header_list = 0;
  read_bounded_size(*h2, "max_header_list", header_list, 1024, 0xffffffffULL,
                    "SETTINGS_MAX_HEADER_LIST_SIZE is 32 bits");
  if (header_list != 0) out.max_header_list = header_list;
  read_bounded_size(*h2, "hpack_table", out.hpack_table, 0, 0xffffffffULL,
                    "SETTINGS_HEADER_TABLE_SIZE is 32 bits");
  read_bounded_size(*h2, "max_frame_size", out.max_frame_size, 16384, 16777215,
                    "RFC 9113 §6.5.2: 2^14..2^24-1");
  h2->read("idle_timeout", out.idle_timeout, positive_duration_type());
  read_floods(*h2, out.floods);
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
  read_http2(r, listener);
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
  parse_listener_protection(r, listener.protection);
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
