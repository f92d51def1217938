// routes[].cache and cache_stores: every key, the scalar ttl, defaults, and FILE:LINE:COL errors.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

constexpr std::string_view kCacheHeader =
    "listen: [\"127.0.0.1:8080\"]\nupstreams:\n  app: { servers: [\"127.0.0.1:9000\"] }\n";

Spec cache_spec_of(std::string_view rest) {
  return load_ok(std::string(kCacheHeader) + std::string(rest));
}

TEST(ParseCache, EmptyBlockTakesTheDefaultsAndTheDefaultStore) {
  const Spec spec = cache_spec_of("routes:\n  - upstream: app\n    cache: {}\n");
  ASSERT_TRUE(spec.routes[0].cache);
  const CachePolicy& c = *spec.routes[0].cache;
  EXPECT_EQ(c.store, "default");
  EXPECT_FALSE(c.ttl.min);
  EXPECT_FALSE(c.ttl.default_ttl);
  EXPECT_FALSE(c.ttl.max);
  EXPECT_EQ(c.key.query, CacheQueryKey::on);
  EXPECT_EQ(c.methods, (std::vector<std::string>{"GET", "HEAD"}));
  EXPECT_EQ(c.lock_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.max_object_size, 16u * 1024 * 1024);
  EXPECT_FALSE(c.cache_everything);
  ASSERT_EQ(spec.cache_stores.size(), 1u);
  EXPECT_EQ(spec.cache_stores[0].name, "default");
  EXPECT_EQ(spec.cache_stores[0].memory, 256u * 1024 * 1024);
}

TEST(ParseCache, NoCacheNoStore) {
  EXPECT_TRUE(cache_spec_of("routes:\n  - upstream: app\n").cache_stores.empty());
}

TEST(ParseCache, ScalarTtlIsTheDefault) {
  const Spec spec = cache_spec_of("routes:\n  - upstream: app\n    cache: { ttl: 30d }\n");
  const CacheTtl& ttl = spec.routes[0].cache->ttl;
  EXPECT_EQ(ttl.default_ttl, std::chrono::days(30));
  EXPECT_FALSE(ttl.min);
  EXPECT_FALSE(ttl.max);
}

TEST(ParseCache, EveryKey) {
  const Spec spec = cache_spec_of(R"(cache_stores:
  pages: { memory: 1GiB }
routes:
  - upstream: app
    cache:
      store: pages
      ttl: { min: 0s, default: 1d, max: 365d }
      browser_ttl: 1d
      stale_while_revalidate: 30s
      stale_if_error: 1d
      serve_stale_when_down: 1h
      cache_everything: true
      key: { query: [page, lang, page], headers: [Accept-Language], cookies: [session_variant] }
      methods: [GET]
      max_object_size: 8MiB
      lock_timeout: 2s
)");
  const CachePolicy& c = *spec.routes[0].cache;
  EXPECT_EQ(c.store, "pages");
  EXPECT_EQ(c.ttl.min, std::chrono::seconds(0));
  EXPECT_EQ(c.ttl.default_ttl, std::chrono::days(1));
  EXPECT_EQ(c.ttl.max, std::chrono::days(365));
  EXPECT_EQ(c.browser_ttl, std::chrono::days(1));
  EXPECT_EQ(c.stale_while_revalidate, std::chrono::seconds(30));
  EXPECT_EQ(c.stale_if_error, std::chrono::days(1));
  EXPECT_EQ(c.serve_stale_when_down, std::chrono::hours(1));
  EXPECT_TRUE(c.cache_everything);
  EXPECT_EQ(c.key.query, CacheQueryKey::allow_list);
  EXPECT_EQ(c.key.query_allow, (std::vector<std::string>{"lang", "page"}));
  EXPECT_EQ(c.key.headers, (std::vector<std::string>{"accept-language"}));
  EXPECT_EQ(c.key.cookies, (std::vector<std::string>{"session_variant"}));
  EXPECT_EQ(c.methods, (std::vector<std::string>{"GET"}));
  EXPECT_EQ(c.max_object_size, 8u * 1024 * 1024);
  EXPECT_EQ(c.lock_timeout, std::chrono::seconds(2));
  ASSERT_EQ(spec.cache_stores.size(), 2u);  // pages, then the default one added
  EXPECT_EQ(spec.cache_stores[0].name, "pages");
  EXPECT_EQ(spec.cache_stores[0].memory, 1024u * 1024 * 1024);
  EXPECT_TRUE(spec.features.end() !=
              std::find_if(spec.features.begin(), spec.features.end(),
                           [](const FeatureUse& f) { return f.feature == "cache"; }));
}

TEST(ParseCache, QueryOffAndOn) {
  EXPECT_EQ(cache_spec_of("routes:\n  - upstream: app\n    cache: { key: { query: off } }\n")
                .routes[0]
                .cache->key.query,
            CacheQueryKey::off);
  EXPECT_EQ(cache_spec_of("routes:\n  - upstream: app\n    cache: { key: { query: on } }\n")
                .routes[0]
                .cache->key.query,
            CacheQueryKey::on);
}

TEST(ParseCache, Errors) {
  EXPECT_EQ(errors_of(std::string(kCacheHeader) + R"(cache_stores:
  small: { memory: 1KiB }
  nomem: {}
routes:
  - upstream: app
    cache:
      store: nowhere
      ttl: { min: 2d, default: 1d, max: 1h }
      key: { query: sometimes, cookies: ["a;b"] }
      methods: [GET, POST]
      max_object_size: 0
      lock_timeout: soon
      ttl_max: 1d
)"),
            (Lines{
                "5:20: cache_stores.small.memory: at least 64KiB",
                "6:10: missing required key 'memory' in cache_stores.nomem",
                "9:5: routes[0].cache.store: no cache store named 'nowhere' (cache_stores: "
                "small, nomem, default)",
                "11:12: routes[0].cache.ttl: min must not be above default",
                "12:21: routes[0].cache.key.query: expected one of on, true, off, false, got "
                "'sometimes'",
                "12:42: routes[0].cache.key.cookies[0]: invalid cookie name 'a;b'",
                "13:22: routes[0].cache.methods[1]: expected one of GET, HEAD, got 'POST'",
                "14:24: routes[0].cache.max_object_size: must be above 0",
                "15:21: routes[0].cache.lock_timeout: invalid duration 'soon': expected a number "
                "at 'soon'",
                "16:7: unknown key 'ttl_max' in routes[0].cache",
            }));
}

TEST(ParseCache, ObjectLargerThanItsStore) {
  EXPECT_EQ(
      errors_of(std::string(kCacheHeader) + R"(cache_stores:
  tiny: { memory: 1MiB }
routes:
  - upstream: app
    cache: { store: tiny, max_object_size: 2MiB }
)"),
      (Lines{"8:5: routes[0].cache.max_object_size: larger than store 'tiny' (1048576 bytes)"}));
}

}  // namespace
}  // namespace flotilla::config
