// `routes[].cache` and `cache_stores:` — the response cache's route policy (TTLs, stale serving,
// key, methods, object bound, collapsing wait) and its named stores; then each route's store
// checked to exist (a `default` store of 256 MiB is added when the file defines none).
// Never looks at other sections but the routes' cache blocks.
#include <algorithm>

#include <fmt/format.h>

#include "config/parse_sections.hpp"
#include "config/units.hpp"

namespace flotilla::config {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// `ttl: 30d` (the default lifetime) or `ttl: {min, default, max}` with min ≤ default ≤ max.
void read_ttl(const MapReader& cache, CacheTtl& out) {
  const Entry* entry = cache.find("ttl");
  if (entry == nullptr) return;
  if (entry->value.IsScalar()) {
    cache.read("ttl", out.default_ttl, duration_type());
    return;
  }
  const auto ttl = cache.child("ttl", {"min", "default", "max"});
  if (!ttl) return;
  ttl->read("min", out.min, duration_type());
  ttl->read("default", out.default_ttl, duration_type());
  ttl->read("max", out.max, duration_type());
  const auto bad = [&](std::string_view low, std::string_view high) {
    cache.ctx().error(entry->value_pos,
                      fmt::format("{}: {} must not be above {}", entry->path, low, high));
  };
  if (out.min && out.default_ttl && *out.min > *out.default_ttl) {
    bad("min", "default");
  } else if (out.default_ttl && out.max && *out.default_ttl > *out.max) {
    bad("default", "max");
  } else if (out.min && out.max && *out.min > *out.max) {
    bad("min", "max");
  }
}

ValueType<std::string> query_param_type() {
  return {"a query parameter name", [](std::string_view text) -> ParseResult<std::string> {
            if (text.empty() || text.find_first_of("&=#? ") != std::string_view::npos) {
              return parse_error(fmt::format("invalid query parameter name '{}'", text));
            }
            return std::string(text);
          }};
}

ValueType<std::string> cookie_name_type() {
  return {"a cookie name", [](std::string_view text) -> ParseResult<std::string> {
            if (text.empty() || text.find_first_of(";=, \t\"") != std::string_view::npos) {
              return parse_error(fmt::format("invalid cookie name '{}'", text));
            }
            return std::string(text);
          }};
}

// `key: {query: off | on | [allow-list], headers: [...], cookies: [...]}`.
void read_key(const MapReader& cache, CacheKey& out) {
  const auto key = cache.child("key", {"query", "headers", "cookies"});
  if (!key) return;
  if (const Entry* query = key->find("query")) {
    if (query->value.IsSequence()) {
      out.query = CacheQueryKey::allow_list;
      key->read_list("query", out.query_allow, query_param_type());
      std::sort(out.query_allow.begin(), out.query_allow.end());
      out.query_allow.erase(std::unique(out.query_allow.begin(), out.query_allow.end()),
                            out.query_allow.end());
    } else {
      key->read("query", out.query,
                enum_type<CacheQueryKey>("off, on or a list of parameter names",
                                         {{"on", CacheQueryKey::on},
                                          {"true", CacheQueryKey::on},
                                          {"off", CacheQueryKey::off},
                                          {"false", CacheQueryKey::off}}));
    }
  }
  if (key->read_list("headers", out.headers,
                     checked_name_type("a header name", check_header_name))) {
    for (std::string& name : out.headers) name = lower(name);
  }
  key->read_list("cookies", out.cookies, cookie_name_type());
}

}  // namespace

void parse_route_cache(const MapReader& route, std::optional<CachePolicy>& out) {
  const auto cache =
      route.child("cache", {"store", "ttl", "browser_ttl", "stale_while_revalidate",
                            "stale_if_error", "serve_stale_when_down", "cache_everything", "key",
                            "methods", "max_object_size", "lock_timeout"});
  route.feature("cache", "cache");
  if (!cache) return;
  CachePolicy policy;
  policy.pos = route.find("cache")->key_pos;
  cache->read("store", policy.store, checked_name_type("a cache store name", check_object_name));
  read_ttl(*cache, policy.ttl);
  cache->read("browser_ttl", policy.browser_ttl, duration_type());
  cache->read("stale_while_revalidate", policy.stale_while_revalidate, duration_type());
  cache->read("stale_if_error", policy.stale_if_error, duration_type());
  cache->read("serve_stale_when_down", policy.serve_stale_when_down, duration_type());
  cache->read("cache_everything", policy.cache_everything, bool_type());
  read_key(*cache, policy.key);
  if (cache->read_list("methods", policy.methods,
                       enum_type<std::string>("GET or HEAD", {{"GET", "GET"}, {"HEAD", "HEAD"}}))) {
    std::sort(policy.methods.begin(), policy.methods.end());
    policy.methods.erase(std::unique(policy.methods.begin(), policy.methods.end()),
                         policy.methods.end());
  }
  if (cache->read("max_object_size", policy.max_object_size, size_type()) &&
      policy.max_object_size == 0) {
    cache->ctx().error(cache->find("max_object_size")->value_pos,
                       fmt::format("{}.max_object_size: must be above 0", cache->path()));
  }
  cache->read("lock_timeout", policy.lock_timeout, duration_type());
  out = std::move(policy);
}

void parse_cache_stores(LoadContext& ctx, const Entry& entry, std::vector<CacheStore>& out) {
  for_each_named(ctx, entry, [&](const Entry& named) {
    CacheStore store;
    store.name = named.name;
    store.pos = named.key_pos;
    const MapReader r(ctx, named, {"memory"});
    if (r.is_map()) {
      r.require("memory");
      if (r.read("memory", store.memory, size_type()) && store.memory < 64 * 1024) {
        ctx.error(r.find("memory")->value_pos,
                  fmt::format("{}.memory: at least 64KiB", named.path));
      }
    }
    out.push_back(std::move(store));
  });
}

void complete_cache_stores(LoadContext& ctx, Spec& spec) {
  const auto find = [&](std::string_view name) {
    return std::find_if(spec.cache_stores.begin(), spec.cache_stores.end(),
                        [&](const CacheStore& s) { return s.name == name; });
  };
  const bool any_cache = std::any_of(spec.routes.begin(), spec.routes.end(),
                                     [](const Route& r) { return r.cache.has_value(); });
  if (any_cache && find(kDefaultCacheStore) == spec.cache_stores.end()) {
    CacheStore store;
    store.name = std::string(kDefaultCacheStore);
    spec.cache_stores.push_back(std::move(store));
  }
  for (std::size_t i = 0; i < spec.routes.size(); ++i) {
    const auto& cache = spec.routes[i].cache;
    if (!cache) continue;
    const auto store = find(cache->store);
    if (store == spec.cache_stores.end()) {
      std::string names;
      for (const CacheStore& s : spec.cache_stores) {
        names += fmt::format("{}{}", names.empty() ? "" : ", ", s.name);
      }
      ctx.error(cache->pos,
                fmt::format("routes[{}].cache.store: no cache store named '{}' (cache_stores: {})",
                            i, cache->store, names));
    } else if (cache->max_object_size > store->memory) {
      ctx.error(cache->pos,
                fmt::format("routes[{}].cache.max_object_size: larger than store '{}' ({} bytes)",
                            i, store->name, store->memory));
    }
  }
}

}  // namespace flotilla::config
