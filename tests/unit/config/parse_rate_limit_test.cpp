// `rate_limit:` on routes and the named `rate_limits:`: every key, the shared references, and
// errors at FILE:LINE:COL.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

constexpr std::string_view kRateLimitHeader =
    "listen: [\"127.0.0.1:8080\"]\nupstreams:\n  app: { servers: [\"127.0.0.1:9000\"] }\n";

TEST(ParseRateLimit, DefaultsCountPerClientAddressAndReject) {
  const Spec spec = load_ok(std::string(kRateLimitHeader) + R"(routes:
  - { upstream: app, rate_limit: { per_client: 100/min } }
)");
  ASSERT_TRUE(spec.routes[0].rate_limit);
  const RateLimit& limit = *spec.routes[0].rate_limit;
  EXPECT_EQ(limit.per_client, (Rate{100, std::chrono::minutes(1)}));
  EXPECT_EQ(limit.burst, 0u);
  EXPECT_EQ(limit.key, (std::vector<RateLimitKeyPart>{{RateLimitKeyKind::client, ""}}));
  EXPECT_EQ(limit.mode, RateLimitMode::reject);
  EXPECT_EQ(limit.status, 429);
  EXPECT_EQ(limit.format, RateLimitFormat::text);
  EXPECT_FALSE(limit.dry_run);
  EXPECT_FALSE(limit.shared);
  EXPECT_EQ(limit.name, "");
  EXPECT_FALSE(limit.store);
}

TEST(ParseRateLimit, ReadsEveryKeyAndShortPeriods) {
  const Spec spec = load_ok(std::string(kRateLimitHeader) + R"(routes:
  - upstream: app
    rate_limit:
      per_client: 20/10s
      burst: 5
      key: [client, header:X-Tenant, cookie:session, api_key]
      mode: delay
      status: 503
      format: json
      dry_run: true
      name: tenants
      store: { redis: "redis://127.0.0.1:6390/2", on_redis_down: deny }
)");
  const RateLimit& limit = *spec.routes[0].rate_limit;
  EXPECT_EQ(limit.per_client, (Rate{20, std::chrono::seconds(10)}));
  EXPECT_EQ(limit.burst, 5u);
  EXPECT_EQ(limit.key, (std::vector<RateLimitKeyPart>{{RateLimitKeyKind::client, ""},
                                                      {RateLimitKeyKind::header, "x-tenant"},
                                                      {RateLimitKeyKind::cookie, "session"},
                                                      {RateLimitKeyKind::api_key, ""}}));
  EXPECT_EQ(limit.mode, RateLimitMode::delay);
  EXPECT_EQ(limit.status, 503);
  EXPECT_EQ(limit.format, RateLimitFormat::json);
  EXPECT_TRUE(limit.dry_run);
  EXPECT_EQ(limit.name, "tenants");
  ASSERT_TRUE(limit.store);
  EXPECT_EQ(limit.store->redis, "redis://127.0.0.1:6390/2");
  EXPECT_EQ(limit.store->on_redis_down, RedisDown::deny);
}

TEST(ParseRateLimit, RoutesShareANamedLimit) {
  const Spec spec = load_ok(std::string(kRateLimitHeader) + R"(rate_limits:
  api: { per_client: 100/min, burst: 20, key: header:X-Api-Key }
routes:
  - { match: { path: /v1/ }, upstream: app, rate_limit: api }
  - { match: { path: /v2/ }, upstream: app, rate_limit: api }
)");
  ASSERT_EQ(spec.rate_limits.size(), 1u);
  EXPECT_EQ(spec.rate_limits[0].name, "api");
  EXPECT_TRUE(spec.rate_limits[0].shared);
  for (const Route& route : spec.routes) {
    ASSERT_TRUE(route.rate_limit);
    EXPECT_EQ(route.rate_limit->name, "api");
    EXPECT_TRUE(route.rate_limit->shared);
    EXPECT_EQ(route.rate_limit->per_client, (Rate{100, std::chrono::minutes(1)}));
    EXPECT_EQ(route.rate_limit->burst, 20u);
    EXPECT_EQ(route.rate_limit->key[0].name, "x-api-key");
  }
}

TEST(ParseRateLimit, ReportsMistakesWithPositions) {
  EXPECT_EQ(errors_of(std::string(kRateLimitHeader) + R"(rate_limits:
  api: { per_client: 10/fortnight, name: x }
routes:
  - upstream: app
    rate_limit: apx
  - upstream: app
    rate_limit: { per_client: 1/s, key: [client, header:a b, nose], mode: later, status: 200 }
  - upstream: app
    rate_limit: { per_client: 1/s, format: xml, store: { redis: "http://x" }, name: api }
)"),
            (Lines{
                "5:22: rate_limits.api.per_client: invalid rate '10/fortnight': unknown period "
                "'fortnight' (use s, min, h, day)",
                "5:36: unknown key 'name' in rate_limits.api",
                "8:17: routes[0].rate_limit: no limit 'apx' under rate_limits (did you mean "
                "'api'?)",
                "10:50: routes[1].rate_limit.key[1]: invalid header name 'a b'",
                "10:62: routes[1].rate_limit.key[2]: invalid key 'nose': use client, header:NAME, "
                "cookie:NAME or api_key",
                "10:75: routes[1].rate_limit.mode: expected one of reject, delay, got 'later'",
                "10:90: routes[1].rate_limit.status: must be a 4xx or 5xx status, got 200",
                "12:17: routes[2].rate_limit.name: 'api' is already the name of another limit "
                "(use `rate_limit: api` to share it)",
                "12:44: routes[2].rate_limit.format: expected one of text, json, got 'xml'",
                "12:65: routes[2].rate_limit.store.redis: invalid Redis URL 'http://x': use "
                "redis://HOST:PORT[/DB] or unix:/PATH",
            }));
}

}  // namespace
}  // namespace flotilla::config
