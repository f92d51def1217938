// The response cache's configuration as plain structs: a route's `cache:` block and the named
// stores of `cache_stores:`. Data only (spec.hpp includes it); parse_cache.cpp fills it and
// checks the references between the two.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/values.hpp"

namespace flotilla::config {

using namespace std::chrono_literals;

// CloudFront's three TTLs. `ttl: 30d` alone is {default: 30d}: the lifetime of a response that
// carries no freshness of its own.
struct CacheTtl {
  std::optional<Duration> min;  // raises an explicit lifetime (never no-cache/must-revalidate)
  std::optional<Duration> default_ttl;
  std::optional<Duration> max;  // caps every lifetime
  friend bool operator==(const CacheTtl&, const CacheTtl&) = default;
};

enum class CacheQueryKey { on, off, allow_list };

// What besides scheme, host and path tells two cached objects apart.
struct CacheKey {
  CacheQueryKey query = CacheQueryKey::on;  // the whole query string, as RFC 9111 keys by URI
  std::vector<std::string> query_allow;     // with allow_list: these parameters, sorted
  std::vector<std::string> headers;         // request header names (lower case)
  std::vector<std::string> cookies;         // cookie names
  friend bool operator==(const CacheKey&, const CacheKey&) = default;
};

inline constexpr std::string_view kDefaultCacheStore = "default";

// `routes[].cache`.
struct CachePolicy {
  SourcePos pos;
  std::string store{kDefaultCacheStore};
  CacheTtl ttl;
  std::optional<Duration> browser_ttl;  // Cache-Control max-age the client sees
  Duration stale_while_revalidate{0s};  // RFC 5861, when the response does not say
  Duration stale_if_error{0s};
  std::optional<Duration> serve_stale_when_down;  // stale pages while no instance is ready
  bool cache_everything = false;  // store responses without freshness of their own (ttl.default)
  CacheKey key;
  std::vector<std::string> methods{"GET", "HEAD"};      // answered from the cache
  std::uint64_t max_object_size = 16ull * 1024 * 1024;  // larger bodies pass through
  Duration lock_timeout{5s};  // how long a miss waits for another request's fetch of its key
  friend bool operator==(const CachePolicy&, const CachePolicy&) = default;
};

// `cache_stores.NAME`. A `default` store of 256 MiB exists unless the file defines one.
struct CacheStore {
  SourcePos pos;
  std::string name;
  std::uint64_t memory = 256ull * 1024 * 1024;  // bytes
  friend bool operator==(const CacheStore&, const CacheStore&) = default;
};

}  // namespace flotilla::config
