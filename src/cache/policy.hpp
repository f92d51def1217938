// The operator's cache policy for one route, as the RFC logic sees it: TTL clamping
// (`ttl: {min, default, max}`, CloudFront's three TTLs), cache_everything, and what may be stored.
// Plain data in seconds and bytes; the gateway fills it from config::RouteCache.
#pragma once

#include <cstdint>
#include <optional>

namespace flotilla::cache {

struct TtlPolicy {
  std::optional<std::int64_t> min;  // raises an explicit lifetime (not no-cache / must-revalidate)
  // The lifetime of a response that carries no freshness of its own (replaces the heuristic).
  std::optional<std::int64_t> default_;
  std::optional<std::int64_t> max;  // caps every lifetime
};

struct Policy {
  TtlPolicy ttl;
  // Store responses without freshness of their own (any final status but 206 / 304) with
  // ttl.default — CloudFlare's "cache everything". no-store and private still win.
  bool cache_everything = false;
  std::uint64_t max_object_size = 64ull * 1024 * 1024;  // larger bodies pass through
};

}  // namespace flotilla::cache
