// What a route's cache stages tell each other about one request: the lookup (a request stage)
// decides, the store (the response-body stage) acts on it. Reused with the request's scratch;
// the lookup resets it on every request of a cache route, and only cache stages read it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace flotilla::cache {
struct StoredResponse;
}

namespace flotilla::gateway {

struct CacheScratch {
  bool store = false;             // the response may be stored under `key`
  std::string key;                // the cache key (also for invalidation)
  std::int64_t request_time = 0;  // seconds since the epoch, when the request went upstream
  // X-Cache of a response that did not come from the store: MISS, EXPIRED or BYPASS; and the
  // RFC 9211 `fwd` parameter (miss, stale, bypass, request, uri-miss, vary-miss).
  std::string_view x_cache = "MISS";
  std::string_view forward = "miss";
  // A stored response that could not be served as it is (stale, or no-cache): its validators
  // went upstream when `validating`; a 304 refreshes and serves it, and a failing origin may
  // get it served stale (stale-if-error, serve_stale_when_down). `stale_for`: seconds past its
  // freshness lifetime at the lookup.
  std::shared_ptr<const cache::StoredResponse> stale;
  std::int64_t stale_for = 0;
  bool validating = false;
};

}  // namespace flotilla::gateway
