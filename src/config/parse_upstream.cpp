// `upstreams:` — pools of endpoints the gateway proxies to: a service's ready instances and/or
// fixed servers, the balancing policy, passive (nginx max_fails) and active health checks,
// connection reuse, slow start, outlier ejection and TLS to the endpoints (parse_tls.cpp).
#include <algorithm>

#include <fmt/format.h>

#include "config/parse_sections.hpp"
#include "config/units.hpp"

namespace flotilla::config {
namespace {

constexpr std::uint32_t kMaxFails = 1000;
constexpr std::uint32_t kMaxWeight = 1000;

const std::vector<std::string_view> kUpstreamKeys{
    "service",      "servers",           "balance",
    "hash",         "max_fails",         "fail_timeout",
    "keepalive",    "keepalive_timeout", "keepalive_requests",
    "health_check", "slow_start",        "outlier",
    "tls"};

const std::vector<std::pair<std::string_view, Balance>> kBalances{
    {"round_robin", Balance::round_robin},
    {"least_conn", Balance::least_conn},
    {"random_two", Balance::random_two},
    {"hash", Balance::hash},
    {"ip_hash", Balance::ip_hash}};

bool is_wildcard(const std::string& host) {
  return host == "0.0.0.0" || host == "::";
}

// Servers are connected to, so unlike listeners they need a real host and port.
void read_server_address(LoadContext& ctx, const Entry& entry, Server& server) {
  auto address = convert(ctx, entry, address_type());
  if (!address) return;
  if (address->kind == Address::Kind::unix_socket) {
    address->path = ctx.resolve(address->path).string();
  } else if (address->port == 0 || is_wildcard(address->host)) {
    ctx.error(entry.value_pos, fmt::format("{}: cannot connect to '{}'; give a host and a port "
                                           "from 1 to 65535",
                                           entry.path, format_address(*address)));
    return;
  }
  server.address = std::move(*address);
}

void read_servers(LoadContext& ctx, const MapReader& r, Upstream& upstream) {
  const Entry* servers = r.find("servers");
  if (servers == nullptr) return;
  for_each_item(ctx, *servers, [&](const Entry& item, std::size_t) {
    Server server;
    if (!item.value.IsMap()) {  // "host:port"
      read_server_address(ctx, item, server);
      upstream.servers.push_back(std::move(server));
      return;
    }
    const MapReader s(ctx, item, {"address", "weight", "backup", "max_fails", "fail_timeout"});
    s.require("address");
    if (const Entry* address = s.find("address")) read_server_address(ctx, *address, server);
    s.read("weight", server.weight, count_type(1, kMaxWeight));
    if (s.read("backup", server.backup, bool_type()) && server.backup) {
      s.feature("backup", "backup_servers");
    }
    s.read("max_fails", server.max_fails, count_type(0, kMaxFails));
    s.read("fail_timeout", server.fail_timeout, positive_duration_type());
    upstream.servers.push_back(std::move(server));
  });
  if (servers->value.IsSequence() && servers->value.size() == 0 && !r.has("service")) {
    ctx.error(servers->value_pos,
              fmt::format("{}: must not be empty when there is no 'service'", servers->path));
  }
}

void read_balance(const MapReader& r, Upstream& upstream) {
  // Known when read, or when absent (round_robin); unknown only when it failed to parse.
  const bool balance_ok =
      !r.has("balance") ||
      r.read("balance", upstream.balance, enum_type<Balance>("a balancing policy", kBalances));
  if (balance_ok && upstream.balance != Balance::round_robin) {
    const Entry* balance = r.find("balance");
    const auto name = std::find_if(kBalances.begin(), kBalances.end(), [&](const auto& choice) {
                        return choice.second == upstream.balance;
                      })->first;
    r.ctx().use_feature(fmt::format("balance_{}", name), balance->key_pos,
                        fmt::format("{}: {}", balance->path, name));
  }
  const auto hash = r.child("hash", {"on", "name"});
  if (hash) {
    HashKey key;
    hash->require("on");
    const bool on_ok = hash->read("on", key.on,
                                  enum_type<HashOn>("a hash key", {{"client_ip", HashOn::client_ip},
                                                                   {"header", HashOn::header},
                                                                   {"cookie", HashOn::cookie}}));
    hash->read("name", key.name, string_type());
    if (on_ok && key.on != HashOn::client_ip) {
      hash->require("name");
    } else if (on_ok && hash->has("name")) {
      r.ctx().error(
          hash->find("name")->key_pos,
          fmt::format("{}.name: only used with 'on: header' or 'on: cookie'", hash->path()));
    }
    upstream.hash = std::move(key);
  }
  if (!balance_ok) return;
  if (upstream.balance == Balance::hash && !r.has("hash")) {
    r.ctx().error(r.find("balance")->value_pos,
                  fmt::format("{}.balance: 'hash' needs a 'hash' key, e.g. hash: {{on: client_ip}}",
                              r.path()));
  } else if (upstream.balance != Balance::hash && r.has("hash")) {
    r.ctx().error(r.find("hash")->key_pos,
                  fmt::format("{}.hash: only used with 'balance: hash'", r.path()));
  }
}

void read_health_check(const MapReader& r, Upstream& upstream) {
  const auto check =
      r.child("health_check", {"path", "interval", "timeout", "rise", "fall", "status"});
  r.feature("health_check", "health_check");
  if (!check) return;
  HealthCheck out;
  check->require("path");
  check->read("path", out.path, url_path_type());
  check->read("interval", out.interval, positive_duration_type());
  check->read("timeout", out.timeout, positive_duration_type());
  check->read("rise", out.rise, count_type(1, kMaxFails));
  check->read("fall", out.fall, count_type(1, kMaxFails));
  check->read_list("status", out.status, http_status_type(), /*allow_single=*/true);
  upstream.health_check = std::move(out);
}

void read_outlier(const MapReader& r, Upstream& upstream) {
  const auto outlier = r.child("outlier", {"consecutive_errors", "base_ejection", "max_ejected"});
  r.feature("outlier", "outlier");
  if (!outlier) return;
  Outlier out;
  outlier->read("consecutive_errors", out.consecutive_errors, count_type(1, kMaxFails));
  outlier->read("base_ejection", out.base_ejection, positive_duration_type());
  outlier->read("max_ejected", out.max_ejected_percent, percent_type());
  upstream.outlier = out;
}

void parse_upstream(LoadContext& ctx, const Entry& entry, Upstream& upstream) {
  const MapReader r(ctx, entry, kUpstreamKeys);
  if (!r.is_map()) return;
  if (!r.has("service") && !r.has("servers")) {
    ctx.error(r.pos(), fmt::format("{} needs 'service', 'servers' or both", r.where()));
  }
  r.read("service", upstream.service, string_type());
  read_servers(ctx, r, upstream);
  read_balance(r, upstream);
  r.read("max_fails", upstream.max_fails, count_type(0, kMaxFails));
  r.read("fail_timeout", upstream.fail_timeout, positive_duration_type());
  r.read("keepalive", upstream.keepalive, count_type(0, 100000));
  r.read("keepalive_timeout", upstream.keepalive_timeout, positive_duration_type());
  r.read("keepalive_requests", upstream.keepalive_requests, count_type(1, 100'000'000));
  read_health_check(r, upstream);
  if (r.read("slow_start", upstream.slow_start, duration_type()) &&
      upstream.slow_start.count() > 0) {
    r.feature("slow_start", "slow_start");
  }
  read_outlier(r, upstream);
  parse_upstream_tls(r, upstream.tls);
}

}  // namespace

void parse_upstreams(LoadContext& ctx, const Entry& entry, std::vector<Upstream>& out) {
  for_each_named(ctx, entry, [&](const Entry& named) {
    Upstream upstream;  // always added, so routes to it resolve even when it has errors
    upstream.name = named.name;
    upstream.pos = named.key_pos;
    parse_upstream(ctx, named, upstream);
    out.push_back(std::move(upstream));
  });
}

}  // namespace flotilla::config
