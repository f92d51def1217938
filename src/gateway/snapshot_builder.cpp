#include "gateway/snapshot_builder.hpp"

#include <charconv>

#include <fmt/format.h>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "config/units.hpp"
#include "gateway/stages/stages.hpp"
#include "tls/client_context.hpp"

namespace flotilla::gateway {
namespace {

upstream::BalanceKind balance_kind(config::Balance balance) {
  switch (balance) {
    case config::Balance::round_robin:
      return upstream::BalanceKind::round_robin;
    case config::Balance::least_conn:
      return upstream::BalanceKind::least_conn;
    case config::Balance::random_two:
      return upstream::BalanceKind::random_two;
    case config::Balance::hash:
      return upstream::BalanceKind::consistent_hash;
    case config::Balance::ip_hash:
      return upstream::BalanceKind::ip_hash;
  }
  return upstream::BalanceKind::round_robin;
}

upstream::HashSpec hash_spec(const std::optional<config::HashKey>& key) {
  upstream::HashSpec spec;
  if (!key) return spec;
  spec.name = key->name;
  switch (key->on) {
    case config::HashOn::client_ip:
      spec.source = upstream::HashSource::client_ip;
      break;
    case config::HashOn::header:
      spec.source = upstream::HashSource::header;
      break;
    case config::HashOn::cookie:
      spec.source = upstream::HashSource::cookie;
      break;
  }
  return spec;
}

std::string display(const config::Address& address) {
  return address.host.find(':') != std::string::npos
             ? fmt::format("[{}]:{}", address.host, address.port)
             : fmt::format("{}:{}", address.host, address.port);
}

std::optional<asio::ip::tcp::endpoint> resolve(const config::Address& address,
                                               std::vector<std::string>& errors) {
  std::error_code ec;
  std::string host = address.host.empty() ? "0.0.0.0" : address.host;
  const asio::ip::address ip = asio::ip::make_address(host, ec);
  if (!ec) return asio::ip::tcp::endpoint(ip, address.port);
  asio::io_context context;
  asio::ip::tcp::resolver resolver(context);
  const auto results = resolver.resolve(host, std::to_string(address.port), ec);
  if (ec || results.empty()) {
    errors.push_back(
        fmt::format("cannot resolve '{}': {}", display(address), ec ? ec.message() : "no address"));
    return std::nullopt;
  }
  return results.begin()->endpoint();
}

UpstreamTarget build_upstream(const config::Upstream& config, std::vector<std::string>& errors) {
  UpstreamTarget target;
  upstream::UpstreamSpec& spec = target.spec;
  spec.name = config.name;
  spec.balance = balance_kind(config.balance);
  spec.hash = hash_spec(config.hash);
  spec.max_fails = config.max_fails;
  spec.fail_timeout = config.fail_timeout;
  spec.slow_start = config.slow_start;
  if (config.outlier) {
    spec.outlier.consecutive_errors = config.outlier->consecutive_errors;
    spec.outlier.base_ejection = config.outlier->base_ejection;
    spec.outlier.max_ejected_percent =
        static_cast<std::uint32_t>(config.outlier->max_ejected_percent);
  } else {
    spec.outlier.consecutive_errors = 0;  // off unless configured
  }
  for (const config::Server& server : config.servers) {
    const auto endpoint = resolve(server.address, errors);
    if (!endpoint) continue;
    const std::string key = display(server.address);
    spec.endpoints.push_back({key, key, server.weight, server.backup});
    target.addresses.push_back(*endpoint);
    if (config.tls) {
      target.tls_names.push_back(config.tls->sni.empty() ? server.address.host : config.tls->sni);
    }
  }
  target.keepalive.idle_per_endpoint = config.keepalive;
  target.keepalive.idle_timeout = config.keepalive_timeout;
  target.keepalive.max_requests = config.keepalive_requests;
  return target;
}

// `listen[].http2`: the SETTINGS and budgets one listener's HTTP/2 sessions run with.
h2::Limits http2_limits(const config::Listener& listener) {
  const config::Http2Settings& in = listener.h2;
  h2::Limits out;
  out.max_concurrent_streams = in.max_concurrent_streams;
  out.initial_window = static_cast<std::uint32_t>(in.initial_window);  // ranges: the parser's
  out.connection_window = static_cast<std::uint32_t>(in.connection_window);
  out.header_table_size = static_cast<std::uint32_t>(in.hpack_table);
  out.max_frame_size = static_cast<std::uint32_t>(in.max_frame_size);
  out.max_header_list = static_cast<std::uint32_t>(in.max_header_list.value_or(
      listener.limits.max_request_line + listener.limits.max_header_bytes));
  out.idle_timeout = in.idle_timeout.value_or(listener.timeouts.keepalive);
  out.max_continuations = in.floods.continuations;
  out.reset_rate = in.floods.resets;
  out.reset_burst = in.floods.resets * h2::kResetBurstSeconds;
  out.ping_rate = in.floods.pings;
  out.ping_burst = in.floods.pings * h2::kFrameBurstSeconds;
  out.settings_rate = in.floods.settings;
  out.settings_burst = in.floods.settings * h2::kFrameBurstSeconds;
  out.empty_data_rate = in.floods.empty_data;
  out.empty_data_burst = in.floods.empty_data * h2::kFrameBurstSeconds;
  out.window_update_rate = in.floods.window_updates;
  out.window_update_burst = in.floods.window_updates * h2::kWindowUpdateBurstSeconds;
  return out;
}

}  // namespace

SnapshotBuilder::SnapshotBuilder(const config::Spec& spec, std::vector<std::string>& errors)
    : spec_(spec) {
  for (const config::Upstream& upstream : spec.upstreams) {
    static_upstreams_.push_back(build_upstream(upstream, errors));
    services_.push_back(upstream.service);
  }
  for (const config::Route& route : spec.routes) {
    routes_.push_back(build_route(spec, route, errors));
    route_keys_.push_back({route.match.host, route.match.path});
  }
  for (const config::Listener* listener : tcp_listeners(spec)) {
    ports_.push_back(listener->address.port);
  }
  tls_.build(spec, errors);
  build_listeners();
}

bool SnapshotBuilder::reload_certificates(std::vector<std::string>& errors) {
  if (!tls_.build(spec_, errors)) return false;
  build_listeners();
  return true;
}

void SnapshotBuilder::set_bound_endpoints(const std::vector<asio::ip::tcp::endpoint>& endpoints) {
  for (std::size_t i = 0; i < endpoints.size() && i < ports_.size(); ++i) {
    ports_[i] = endpoints[i].port();
  }
  build_listeners();
}

void SnapshotBuilder::build_listeners() {
  const std::vector<const config::Listener*> listeners = tcp_listeners(spec_);
  std::uint16_t https_port = 0;
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    if (listeners[i]->tls) {
      https_port = ports_[i];
      break;
    }
  }
  listeners_.clear();
  const bool acme_http = uses_acme_http(spec_);
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    listeners_.push_back(build_listener(*listeners[i], https_port,
                                        i < tls_.listeners.size() ? tls_.listeners[i] : nullptr,
                                        acme_http));
    const auto& own = listeners[i]->protection.trusted_proxies;
    listeners_.back().trusted_proxies = cidr_set(own ? *own : spec_.protection.trusted_proxies);
  }
}

bool uses_acme_http(const config::Spec& spec) {
  for (const config::Listener& listener : spec.listeners) {
    if (listener.tls && listener.tls->acme &&
        listener.tls->acme->challenge == config::AcmeChallenge::http_01) {
      return true;
    }
  }
  return false;
}

SnapshotPtr SnapshotBuilder::build(const ServiceEndpoints& services) {
  auto snapshot = std::make_shared<GatewaySnapshot>();
  snapshot->generation = ++generation_;
  snapshot->listeners = listeners_;
  snapshot->routes = routes_;
  snapshot->table = RouteTable(route_keys_);
  snapshot->upstreams.reserve(static_upstreams_.size());
  for (std::size_t i = 0; i < static_upstreams_.size(); ++i) {
    UpstreamTarget target = static_upstreams_[i];
    if (i < tls_.upstreams.size()) target.tls = tls_.upstreams[i];
    const auto found = services_[i] ? services.find(*services_[i]) : services.end();
    if (found != services.end()) {
      std::vector<upstream::EndpointSpec> endpoints;
      std::vector<asio::ip::tcp::endpoint> addresses;
      for (const ServiceEndpoint& instance : found->second) {
        std::error_code ec;
        const auto colon = instance.address.rfind(':');
        if (colon == std::string::npos) continue;
        const auto ip = asio::ip::make_address(instance.address.substr(0, colon), ec);
        unsigned short port = 0;
        const char* port_begin = instance.address.data() + colon + 1;
        const char* port_end = instance.address.data() + instance.address.size();
        if (ec || std::from_chars(port_begin, port_end, port).ptr != port_end) continue;
        // Keyed by instance ("web/2"), never by address as `servers:` entries are: the
        // query-of-death rule (proxy/crash_verdict.cpp) tells supervised instances by this.
        endpoints.push_back({instance.key, instance.address, 1, false});
        addresses.emplace_back(ip, port);
      }
      if (target.tls) {
        const std::string& sni = target.tls->settings().sni;
        std::vector<std::string> names(addresses.size(), std::string{});
        for (std::size_t a = 0; a < addresses.size(); ++a) {
          names[a] = sni.empty() ? addresses[a].address().to_string() : sni;
        }
        names.insert(names.end(), target.tls_names.begin(), target.tls_names.end());
        target.tls_names = std::move(names);
      }
      endpoints.insert(endpoints.end(), target.spec.endpoints.begin(), target.spec.endpoints.end());
      addresses.insert(addresses.end(), target.addresses.begin(), target.addresses.end());
      target.spec.endpoints = std::move(endpoints);
      target.addresses = std::move(addresses);
    }
    snapshot->upstreams.push_back(std::move(target));
  }
  return snapshot;
}

std::vector<ListenerSettings> build_listener_settings(const config::Spec& spec,
                                                      std::vector<std::string>& errors) {
  std::vector<ListenerSettings> listeners;
  for (const config::Listener* entry : tcp_listeners(spec)) {
    const config::Listener& listener = *entry;
    const auto endpoint = resolve(listener.address, errors);
    if (!endpoint) continue;
    ListenerSettings settings;
    settings.endpoint = *endpoint;
    settings.limits.max_request_line = listener.limits.max_request_line;
    settings.limits.max_header_bytes = listener.limits.max_header_bytes;
    settings.limits.max_headers = listener.limits.max_headers;
    settings.max_body = listener.limits.max_body;
    settings.header_timeout = listener.timeouts.client_header;
    settings.body_timeout = listener.timeouts.client_body;
    settings.keepalive_timeout = listener.timeouts.keepalive;
    settings.tls = listener.tls.has_value();
    settings.http2 = listener.http2;
    settings.http2_limits = http2_limits(listener);
    settings.name = config::format_address(listener.address);
    const config::ListenerProtection& protection = listener.protection;
    settings.proxy_protocol = protection.proxy_protocol;
    settings.max_connections = protection.max_connections;
    settings.max_connections_per_client = protection.max_connections_per_client;
    settings.max_connections_global = spec.protection.max_connections;
    settings.min_rate = protection.min_rate.rate;
    settings.min_rate_window = protection.min_rate.window;
    listeners.push_back(std::move(settings));
  }
  return listeners;
}

}  // namespace flotilla::gateway
