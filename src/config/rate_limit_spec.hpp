// Rate limits as plain structs: a route's `rate_limit:` and the named ones under `rate_limits:`.
// Data only — parsing is config/parse_rate_limit.cpp, enforcement is src/ratelimit/ and the
// gateway's rate-limit stage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/values.hpp"

namespace flotilla::config {

// One part of the key a limit counts requests under; a key made of several parts counts each
// combination apart (`key: [client, header:X-Tenant]`).
enum class RateLimitKeyKind : std::uint8_t {
  client,   // the client address: IPv4 as it is, IPv6 by its /64
  header,   // a request header's value (`header:X-Api-Key`)
  cookie,   // a cookie's value (`cookie:session`)
  api_key,  // the API key: `Authorization: Bearer TOKEN`, else `X-Api-Key`
};

struct RateLimitKeyPart {
  RateLimitKeyKind kind = RateLimitKeyKind::client;
  std::string name;  // the header or cookie name (header names lowercase)
  friend bool operator==(const RateLimitKeyPart&, const RateLimitKeyPart&) = default;
};

enum class RateLimitMode : std::uint8_t {
  reject,  // over the limit: answered `status` at once
  delay,   // within `burst`: held until the budget allows (nginx limit_req without nodelay)
};

enum class RateLimitFormat : std::uint8_t { text, json };

enum class RedisDown : std::uint8_t { local, allow, deny };

// `store: { redis: "redis://host:port/db", on_redis_down }`: the budget shared by every node
// using the same Redis.
struct RateLimitStore {
  std::string redis;  // as written; the gateway parses the URL
  RedisDown on_redis_down = RedisDown::local;
  friend bool operator==(const RateLimitStore&, const RateLimitStore&) = default;
};

// CloudFlare's meaning: `per_client: N/period` admits N requests at once from a fresh client and
// refills at N per period; `burst` adds capacity above N.
struct RateLimit {
  // The limit's name: the access log and metrics label, the Redis key prefix, and what routes
  // sharing a named limit share. Empty on a route's own limit: the route's match (host + path).
  std::string name;
  SourcePos pos;        // where it was written (the route's `rate_limit`, or its name)
  bool shared = false;  // a named limit from `rate_limits:` (one budget for every route using it)
  Rate per_client;
  std::uint32_t burst = 0;
  std::vector<RateLimitKeyPart> key{RateLimitKeyPart{}};  // default: the client address
  RateLimitMode mode = RateLimitMode::reject;
  int status = 429;
  RateLimitFormat format = RateLimitFormat::text;
  bool dry_run = false;  // count and log, never reject or delay
  std::optional<RateLimitStore> store;
  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

}  // namespace flotilla::config
