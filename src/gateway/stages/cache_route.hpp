// What a route's cache stages share: the route's settings as the data plane needs them (built
// once on the control thread from config::CachePolicy), the worker's stores (one MemoryStore per
// named store per worker thread: no lock between workers — docs/architecture.md), the cache key
// and the request's fields as cache::Fields. Never answers or stores anything itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/fields.hpp"
#include "cache/memory_store.hpp"
#include "cache/policy.hpp"
#include "config/cache_spec.hpp"
#include "gateway/pipeline/header_edits.hpp"
#include "http/message.hpp"
#include "net/async.hpp"
#include "observe/metric_shard.hpp"

namespace flotilla::gateway {

struct RequestContext;

struct CacheRouteSettings {
  std::string store_name;
  std::uint64_t store_bytes_per_worker = 0;
  cache::Policy policy;
  config::CacheKey key;
  bool get = true;                               // GET answered from the cache
  bool head = true;                              // HEAD answered from a stored GET
  std::optional<std::int64_t> browser_ttl;       // seconds
  std::int64_t stale_if_error = 0;               // seconds, when the response does not say
  std::int64_t serve_stale_when_down = 0;        // seconds, for the gateway's own 502/503/504
  std::chrono::milliseconds lock_timeout{5000};  // a miss waits this long for the key's fetch
};

CacheRouteSettings cache_route_settings(const config::CachePolicy& policy,
                                        std::uint64_t store_bytes, std::uint32_t workers);

// This worker thread's store for the route (made on first use with the route's bound).
cache::MemoryStore& worker_cache_store(const CacheRouteSettings& settings);

// scheme "://" host path ["?" query as the key policy says] then, per configured header and
// cookie, "\n" name "=" value. Lower-case host; the query kept as sent (or its allowed
// parameters, sorted).
void build_cache_key(const RequestContext& ctx, const CacheRouteSettings& settings,
                     std::string& out);
// The key of another URL on the same origin (a Location / Content-Location target), with the
// route's query policy but no header or cookie parts; empty when it is not the same origin.
std::string same_origin_key(const RequestContext& ctx, std::string_view url);

// `headers` as cache::Fields, in a per-thread vector valid until the next call.
cache::Fields as_fields(std::span<const http::Header> headers);

// This worker thread's stores' sizes, for a scrape (called on the worker thread).
void report_cache_stores(std::vector<observe::MetricShard::CacheStoreSize>& out);

// Request collapsing, per worker: the first storable miss of a key starts its flight (true);
// later misses wait for the flight to end — the entry stored, or the response found not storable
// — at most `timeout`, then look again. A flight older than its timeout no longer holds anyone.
bool cache_flight_begin(const std::string& key, std::chrono::milliseconds timeout);
void cache_flight_end(const std::string& key);
// False at once when no flight holds `key`.
net::Awaitable<bool> cache_flight_wait(const std::string& key, std::chrono::milliseconds timeout);

// Adds a stored response's fields to `edits` for a head the gateway writes itself; a stored
// Date or Server replaces the sink's own line (the origin's Date stays, Age says how old it is).
// `keep` filters the fields (null: all).
void add_stored_fields(HeaderEdits& edits,
                       const std::vector<std::pair<std::string, std::string>>& fields,
                       bool (*keep)(std::string_view name) = nullptr);

// Seconds since the epoch (CLOCK_REALTIME_COARSE).
std::int64_t cache_now() noexcept;

}  // namespace flotilla::gateway
