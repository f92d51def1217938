// The route's cache settings, the per-worker stores, the cache key and field adapters
// (cache_route.hpp). The stores are thread_local: each worker thread has its own, keyed by store
// name, so a reload keeps them (and their objects) as long as the name stays.
#include "gateway/stages/cache_route.hpp"

#include <ctime>

#include <algorithm>
#include <chrono>
#include <memory>
#include <unordered_map>

#include "gateway/pipeline/request_context.hpp"
#include "gateway/request_target.hpp"
#include "http/ascii.hpp"
#include "net/socket.hpp"

namespace flotilla::gateway {
namespace {

std::int64_t seconds(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

void append_lower(std::string& out, std::string_view text) {
  for (char c : text) out += http::ascii_lower(c);
}

// The query as the key keeps it: all, none, or the allowed parameters sorted by name.
void append_query(std::string& out, std::string_view query, const config::CacheKey& key) {
  if (query.empty() || key.query == config::CacheQueryKey::off) return;
  if (key.query == config::CacheQueryKey::on) {
    out += '?';
    out += query;
    return;
  }
  std::vector<std::string_view> kept;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    const std::string_view name = param.substr(0, param.find('='));
    if (std::binary_search(key.query_allow.begin(), key.query_allow.end(), name)) {
      kept.push_back(param);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  std::stable_sort(kept.begin(), kept.end(), [](std::string_view a, std::string_view b) {
    return a.substr(0, a.find('=')) < b.substr(0, b.find('='));
  });
  for (std::size_t i = 0; i < kept.size(); ++i) {
    out += i == 0 ? '?' : '&';
    out += kept[i];
  }
}

std::string_view cookie_value(std::span<const http::Header> headers, std::string_view name) {
  for (const http::Header& field : headers) {
    if (field.id != http::HeaderId::kCookie) continue;
    std::string_view rest = field.value;
    while (!rest.empty()) {
      const std::size_t semi = rest.find(';');
      const std::string_view pair = http::trim_ows(rest.substr(0, semi));
      const std::size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return {};
}

}  // namespace

CacheRouteSettings cache_route_settings(const config::CachePolicy& policy,
                                        std::uint64_t store_bytes, std::uint32_t workers) {
  CacheRouteSettings out;
  out.store_name = policy.store;
  out.store_bytes_per_worker =
      std::max<std::uint64_t>(64 * 1024, store_bytes / std::max(1u, workers));
  if (policy.ttl.min) out.policy.ttl.min = seconds(*policy.ttl.min);
  if (policy.ttl.default_ttl) out.policy.ttl.default_ = seconds(*policy.ttl.default_ttl);
  if (policy.ttl.max) out.policy.ttl.max = seconds(*policy.ttl.max);
  out.policy.cache_everything = policy.cache_everything;
  out.policy.max_object_size = policy.max_object_size;
  out.key = policy.key;
  out.get = std::find(policy.methods.begin(), policy.methods.end(), "GET") != policy.methods.end();
  out.head =
      std::find(policy.methods.begin(), policy.methods.end(), "HEAD") != policy.methods.end();
  if (policy.browser_ttl) out.browser_ttl = seconds(*policy.browser_ttl);
  out.stale_if_error = seconds(policy.stale_if_error);
  out.lock_timeout = policy.lock_timeout;
  if (policy.serve_stale_when_down) {
    out.serve_stale_when_down = seconds(*policy.serve_stale_when_down);
  }
  return out;
}

namespace {

using StoreMap = std::unordered_map<std::string, std::unique_ptr<cache::MemoryStore>>;
StoreMap& thread_stores() {
  thread_local StoreMap stores;
  return stores;
}

}  // namespace

namespace {

struct Flight {
  std::chrono::steady_clock::time_point started;
  std::chrono::milliseconds timeout{0};
  std::vector<net::Timer*> waiters;
};

std::unordered_map<std::string, Flight>& thread_flights() {
  thread_local std::unordered_map<std::string, Flight> flights;
  return flights;
}

bool live(const Flight& f, std::chrono::steady_clock::time_point now) {
  return now - f.started < f.timeout;
}

}  // namespace

bool cache_flight_begin(const std::string& key, std::chrono::milliseconds timeout) {
  const auto now = std::chrono::steady_clock::now();
  auto& flights = thread_flights();
  const auto it = flights.find(key);
  if (it != flights.end() && live(it->second, now)) return false;
  if (it != flights.end()) {
    for (net::Timer* waiter : it->second.waiters) waiter->cancel();
    flights.erase(it);
  }
  flights.emplace(key, Flight{now, timeout, {}});
  return true;
}

void cache_flight_end(const std::string& key) {
  auto& flights = thread_flights();
  const auto it = flights.find(key);
  if (it == flights.end()) return;
  for (net::Timer* waiter : it->second.waiters) waiter->cancel();
  flights.erase(it);
}

net::Awaitable<bool> cache_flight_wait(const std::string& key, std::chrono::milliseconds timeout) {
  auto& flights = thread_flights();
  auto it = flights.find(key);
  if (it == flights.end() || !live(it->second, std::chrono::steady_clock::now())) co_return false;
  net::Timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  it->second.waiters.push_back(&timer);
  co_await timer.async_wait(net::use_nothrow_io);
  // The flight may have ended (and been replaced): take this timer out of whatever holds it.
  it = flights.find(key);
  if (it != flights.end()) std::erase(it->second.waiters, &timer);
  co_return true;
}

void report_cache_stores(std::vector<observe::MetricShard::CacheStoreSize>& out) {
  out.clear();
  for (const auto& [name, store] : thread_stores()) {
    out.push_back({name, store->stats().bytes, store->stats().objects});
  }
}

cache::MemoryStore& worker_cache_store(const CacheRouteSettings& settings) {
  auto& slot = thread_stores()[settings.store_name];
  if (!slot) slot = std::make_unique<cache::MemoryStore>(settings.store_bytes_per_worker);
  return *slot;
}

void build_cache_key(const RequestContext& ctx, const CacheRouteSettings& settings,
                     std::string& out) {
  out.clear();
  out += ctx.scheme();
  out += "://";
  append_lower(out, ctx.head.host);
  const std::string_view path = request_path(ctx.head);
  out += path;
  const std::string_view target = ctx.head.target;
  const std::size_t q = target.find('?');
  if (q != std::string_view::npos) append_query(out, target.substr(q + 1), settings.key);
  for (const std::string& name : settings.key.headers) {
    out += '\n';
    out += name;
    out += '=';
    out += cache::combined_value(as_fields(ctx.head.headers), name);
  }
  for (const std::string& name : settings.key.cookies) {
    out += "\ncookie:";
    out += name;
    out += '=';
    out += cookie_value(ctx.head.headers, name);
  }
}

std::string same_origin_key(const RequestContext& ctx, std::string_view url) {
  std::string out;
  if (url.starts_with("/")) {
    out += ctx.scheme();
    out += "://";
    append_lower(out, ctx.head.host);
    out += url;
    return out;
  }
  std::string origin;
  origin += ctx.scheme();
  origin += "://";
  append_lower(origin, ctx.head.host);
  std::string lowered;
  append_lower(lowered, url.substr(0, std::min(url.size(), origin.size())));
  if (lowered != origin) return {};
  const std::string_view rest = url.substr(origin.size());
  if (!rest.empty() && rest.front() != '/' && rest.front() != '?') return {};
  return origin + std::string(rest.empty() ? "/" : rest);
}

cache::Fields as_fields(std::span<const http::Header> headers) {
  thread_local std::vector<cache::Field> fields;
  fields.clear();
  for (const http::Header& h : headers) fields.push_back({h.name, h.value});
  return fields;
}

void add_stored_fields(HeaderEdits& edits,
                       const std::vector<std::pair<std::string, std::string>>& fields,
                       bool (*keep)(std::string_view name)) {
  for (const auto& [name, value] : fields) {
    if (keep && !keep(name)) continue;
    if (http::ascii_iequals(name, "date")) edits.drop(http::HeaderId::kDate);
    if (http::ascii_iequals(name, "server")) edits.drop(http::HeaderId::kServer);
    edits.add(name, value);
  }
}

std::int64_t cache_now() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec);
}

}  // namespace flotilla::gateway
