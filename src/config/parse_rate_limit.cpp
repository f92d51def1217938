// `rate_limit:` on a route (a mapping, or the name of one under `rate_limits:`) and the named
// limits of `rate_limits:`. Checks values and positions only; the limiter lives in src/ratelimit/.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "config/did_you_mean.hpp"
#include "config/parse_sections.hpp"
#include "config/units.hpp"

namespace flotilla::config {
namespace {

const std::vector<std::string_view> kLimitKeys{"per_client", "burst",   "key",  "mode", "status",
                                               "format",     "dry_run", "name", "store"};

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// `client`, `header:NAME`, `cookie:NAME` or `api_key`.
ValueType<RateLimitKeyPart> key_part_type() {
  return {"a rate-limit key (client, header:NAME, cookie:NAME, api_key)",
          [](std::string_view text) -> ParseResult<RateLimitKeyPart> {
            if (text == "client" || text == "ip") return RateLimitKeyPart{};
            if (text == "api_key") return RateLimitKeyPart{RateLimitKeyKind::api_key, ""};
            const std::size_t colon = text.find(':');
            const std::string_view kind = text.substr(0, colon);
            const std::string_view name =
                colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
            if (kind == "header" && !name.empty()) {
              if (std::string problem = check_header_name(name); !problem.empty()) {
                return parse_error(problem);
              }
              return RateLimitKeyPart{RateLimitKeyKind::header, lowercase(name)};
            }
            if (kind == "cookie" && !name.empty()) {
              const bool bad = std::any_of(name.begin(), name.end(), [](unsigned char c) {
                return c <= ' ' || c >= 0x7f || c == ';' || c == '=' || c == ',';
              });
              if (!bad) return RateLimitKeyPart{RateLimitKeyKind::cookie, std::string(name)};
            }
            return parse_error(fmt::format(
                "invalid key '{}': use client, header:NAME, cookie:NAME or api_key", text));
          }};
}

// redis://HOST:PORT[/DB] or unix:/PATH; the gateway parses it again for use.
ValueType<std::string> redis_url_type() {
  return {"a Redis URL such as redis://127.0.0.1:6379/0",
          [](std::string_view text) -> ParseResult<std::string> {
            if (text.starts_with("unix:/")) return std::string(text);
            if (text.starts_with("redis://")) {
              std::string_view rest = text.substr(8);
              const std::size_t slash = rest.find('/');
              const std::string_view db =
                  slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
              rest = rest.substr(0, slash);
              const bool db_ok = db.empty() || static_cast<bool>(parse_integer(db, 0, 15));
              if (db_ok && parse_address(rest)) return std::string(text);
            }
            return parse_error(fmt::format(
                "invalid Redis URL '{}': use redis://HOST:PORT[/DB] or unix:/PATH", text));
          }};
}

void read_store(const MapReader& limit, RateLimit& out) {
  const auto store = limit.child("store", {"redis", "on_redis_down"});
  limit.feature("store", "rate_limit_redis");
  if (!store) return;
  RateLimitStore config;
  store->require("redis");
  store->read("redis", config.redis, redis_url_type());
  store->read("on_redis_down", config.on_redis_down,
              enum_type<RedisDown>("local, allow or deny", {{"local", RedisDown::local},
                                                            {"allow", RedisDown::allow},
                                                            {"deny", RedisDown::deny}}));
  out.store = std::move(config);
}

void read_limit(const MapReader& limit, RateLimit& out) {
  limit.require("per_client");
  limit.read("per_client", out.per_client, rate_type());
  limit.read("burst", out.burst, count_type(0, 1'000'000));
  std::vector<RateLimitKeyPart> key;
  if (limit.read_list("key", key, key_part_type(), /*allow_single=*/true)) {
    if (key.empty()) {
      limit.ctx().error(limit.find("key")->value_pos,
                        fmt::format("{}.key: must not be empty", limit.path()));
    } else {
      out.key = std::move(key);
    }
  }
  limit.read("mode", out.mode,
             enum_type<RateLimitMode>("reject or delay", {{"reject", RateLimitMode::reject},
                                                          {"delay", RateLimitMode::delay}}));
  if (limit.read("status", out.status, http_status_type()) && out.status < 400) {
    limit.ctx().error(
        limit.find("status")->value_pos,
        fmt::format("{}.status: must be a 4xx or 5xx status, got {}", limit.path(), out.status));
    out.status = 429;
  }
  limit.read("format", out.format,
             enum_type<RateLimitFormat>("text or json", {{"text", RateLimitFormat::text},
                                                         {"json", RateLimitFormat::json}}));
  limit.read("dry_run", out.dry_run, bool_type());
  read_store(limit, out);
}

}  // namespace

void parse_rate_limit(const MapReader& route, std::optional<RateLimit>& out) {
  const Entry* entry = route.find("rate_limit");
  if (entry == nullptr) return;
  route.feature("rate_limit", "rate_limit");
  RateLimit limit;
  limit.pos = entry->value_pos;
  if (entry->value.IsScalar()) {  // the name of a limit under `rate_limits:`
    if (!route.read("rate_limit", limit.name, string_type())) return;
    limit.shared = true;  // per_client stays 0 until resolve_rate_limits finds it
    out = std::move(limit);
    return;
  }
  const auto reader = route.child("rate_limit", kLimitKeys);
  if (!reader) return;
  read_limit(*reader, limit);
  reader->read("name", limit.name, checked_name_type("a limit name", check_object_name));
  out = std::move(limit);
}

void parse_rate_limits(const MapReader& top, std::vector<RateLimit>& out) {
  const Entry* entry = top.find("rate_limits");
  if (entry == nullptr) return;
  for_each_named(top.ctx(), *entry, [&](const Entry& named) {
    RateLimit limit;
    limit.name = named.name;
    limit.pos = named.key_pos;
    limit.shared = true;
    std::vector<std::string_view> keys = kLimitKeys;
    keys.erase(std::find(keys.begin(), keys.end(), "name"));  // the key above is the name
    const MapReader reader(top.ctx(), named, keys);
    if (!reader.is_map()) return;
    read_limit(reader, limit);
    out.push_back(std::move(limit));
  });
}

void resolve_rate_limits(LoadContext& ctx, Spec& spec) {
  for (std::size_t i = 0; i < spec.routes.size(); ++i) {
    Route& route = spec.routes[i];
    if (!route.rate_limit) continue;
    RateLimit& limit = *route.rate_limit;
    if (limit.shared) {
      const auto named = std::find_if(spec.rate_limits.begin(), spec.rate_limits.end(),
                                      [&](const RateLimit& l) { return l.name == limit.name; });
      if (named == spec.rate_limits.end()) {
        std::vector<std::string_view> names;
        for (const RateLimit& l : spec.rate_limits) names.push_back(l.name);
        ctx.error(limit.pos, fmt::format("routes[{}].rate_limit: no limit '{}' under rate_limits{}",
                                         i, limit.name, did_you_mean(limit.name, names)));
        route.rate_limit.reset();
        continue;
      }
      const SourcePos pos = limit.pos;
      limit = *named;
      limit.pos = pos;
      continue;
    }
    if (limit.name.empty()) continue;
    // A route's own limit may take a name (for logs, metrics and Redis); it must not be the name
    // of another limit, which would mix two budgets under one key.
    const bool taken =
        std::any_of(spec.rate_limits.begin(), spec.rate_limits.end(),
                    [&](const RateLimit& l) { return l.name == limit.name; }) ||
        std::any_of(spec.routes.begin(), spec.routes.begin() + i, [&](const Route& r) {
          return r.rate_limit && !r.rate_limit->shared && r.rate_limit->name == limit.name;
        });
    if (taken) {
      ctx.error(limit.pos, fmt::format("routes[{}].rate_limit.name: '{}' is already the name of "
                                       "another limit (use `rate_limit: {}` to share it)",
                                       i, limit.name, limit.name));
    }
  }
}

}  // namespace flotilla::config
