// Config types of the gateway's protections (docs/configuration.md, "Protection"): client access
// rules, trusted proxies and the PROXY protocol, connection limits and minimum transfer rates.
// Types only; parsed by parse_protection.cpp. CIDR blocks are kept as the text written, checked
// at load (the gateway turns them into net::CidrSet).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/values.hpp"

namespace flotilla::config {

// `allow:` / `deny:` CIDR lists (403). A client in `deny` is refused; when `allow` is given, a
// client outside it is refused too.
struct AccessRules {
  std::vector<std::string> allow;
  std::vector<std::string> deny;
  bool empty() const { return allow.empty() && deny.empty(); }
  friend bool operator==(const AccessRules&, const AccessRules&) = default;
};

// A route's `block:` — the seed's "WAF": a request matching any of these is answered 403.
// Regular expressions (ECMAScript), searched anywhere in the value.
struct RequestBlock {
  std::optional<std::string> path_regex;  // the request target's path and query, as received
  std::optional<std::string> user_agent;
  std::vector<std::pair<std::string, std::string>> headers;  // name → regex on its value
  friend bool operator==(const RequestBlock&, const RequestBlock&) = default;
};

struct RouteProtection {
  AccessRules access;
  std::vector<std::string> methods;  // empty: any; GET admits HEAD (405 with Allow otherwise)
  std::optional<RequestBlock> block;
  friend bool operator==(const RouteProtection&, const RouteProtection&) = default;
};

// `min_rate: { rate, window }`: a request head or body arriving slower than `rate` bytes/s,
// measured over `window`, is cut off (slowloris, slow POST).
struct MinRate {
  std::uint64_t rate = 0;  // bytes per second; 0: off
  Duration window{std::chrono::seconds(10)};
  friend bool operator==(const MinRate&, const MinRate&) = default;
};

struct ListenerProtection {
  AccessRules access;
  std::optional<std::vector<std::string>> trusted_proxies;  // absent: the top-level list
  bool proxy_protocol = false;                              // v1 and v2, before TLS
  std::uint32_t max_connections = 0;                        // this listener, all workers; 0: none
  std::uint32_t max_connections_per_client = 0;             // per client address; 0: none
  MinRate min_rate;
  friend bool operator==(const ListenerProtection&, const ListenerProtection&) = default;
};

struct GlobalProtection {
  std::vector<std::string> trusted_proxies;
  std::uint32_t max_connections = 0;  // every listener together; 0: none
  friend bool operator==(const GlobalProtection&, const GlobalProtection&) = default;
};

}  // namespace flotilla::config
