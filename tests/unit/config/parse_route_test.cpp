// routes: matching, the three actions, and the optional per-route policies.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

constexpr std::string_view kHeader =
    "listen: [\"127.0.0.1:8080\"]\nupstreams:\n  app: { servers: [\"127.0.0.1:9000\"] }\n"
    "routes:\n";

std::vector<Route> routes_of(std::string_view routes_yaml) {
  return load_ok(std::string(kHeader) + std::string(routes_yaml)).routes;
}

TEST(ParseRoute, DefaultsMatchEverythingAndLeaveRetryUnset) {
  const auto routes = routes_of("  - upstream: app\n");
  ASSERT_EQ(routes.size(), 1u);
  const Route& r = routes[0];
  EXPECT_EQ(r.pos, (SourcePos{5, 5}));
  EXPECT_EQ(r.match.host, "");
  EXPECT_EQ(r.match.path, "/");
  ASSERT_TRUE(std::holds_alternative<ProxyAction>(r.action));
  EXPECT_EQ(std::get<ProxyAction>(r.action).upstream, "app");
  EXPECT_FALSE(r.retry);  // the gateway applies its own default when absent
  EXPECT_EQ(r.timeouts.connect, std::chrono::seconds(60));
  EXPECT_EQ(r.timeouts.send, std::chrono::seconds(60));
  EXPECT_EQ(r.timeouts.read, std::chrono::seconds(60));
  EXPECT_FALSE(r.rate_limit);
  EXPECT_FALSE(r.cache);
  EXPECT_FALSE(r.headers);
}

TEST(ParseRoute, ReadsEveryKey) {
  const auto routes = routes_of(R"(  - match: { host: API.Example.com, path: /v1/ }
    upstream: app
    retry: { on: [error, timeout, http_502, http_429], tries: 5, timeout: 10s, non_idempotent: true }
    timeouts: { connect: 5s, send: 10s, read: 300s }
    rate_limit: { per_client: 100/min, burst: 20 }
    cache: { ttl: 30d, browser_ttl: 1d, stale_if_error: 1h, stale_while_revalidate: 1m }
    headers:
      set: { X-Frame-Options: DENY, Strict-Transport-Security: "max-age=31536000" }
      remove: [Server, X-Powered-By]
  - match: { host: "*.example.com", path: /static/ }
    static: { root: public, index: home.html, expires: 1y, immutable: true }
  - match: { path: /old }
    redirect: { to: "https://example.com/new", status: 308 }
  - match: { path: /moved }
    redirect: { to: /new }
  - match: { path: /r }
    upstream: app
    retry: {}
)");
  ASSERT_EQ(routes.size(), 5u);
  const Route& api = routes[0];
  EXPECT_EQ(api.match.host, "api.example.com");
  EXPECT_EQ(api.match.path, "/v1/");
  ASSERT_TRUE(api.retry);
  EXPECT_EQ(api.retry->on, (std::vector<RetryOn>{RetryOn::error, RetryOn::timeout,
                                                 RetryOn::http_502, RetryOn::http_429}));
  EXPECT_EQ(api.retry->tries, 5u);
  EXPECT_EQ(api.retry->timeout, std::chrono::seconds(10));
  EXPECT_TRUE(api.retry->non_idempotent);
  EXPECT_EQ(api.timeouts.connect, std::chrono::seconds(5));
  EXPECT_EQ(api.timeouts.send, std::chrono::seconds(10));
  EXPECT_EQ(api.timeouts.read, std::chrono::seconds(300));
  ASSERT_TRUE(api.rate_limit);
  EXPECT_EQ(api.rate_limit->per_client, (Rate{100, std::chrono::minutes(1)}));
  EXPECT_EQ(api.rate_limit->burst, 20u);
  ASSERT_TRUE(api.cache);
  EXPECT_EQ(api.cache->ttl, std::chrono::days(30));
  EXPECT_EQ(api.cache->browser_ttl, std::chrono::days(1));
  EXPECT_EQ(api.cache->stale_if_error, std::chrono::hours(1));
  EXPECT_EQ(api.cache->stale_while_revalidate, std::chrono::minutes(1));
  ASSERT_TRUE(api.headers);
  ASSERT_EQ(api.headers->response.set.size(), 2u);
  EXPECT_EQ(api.headers->response.set[0].name, "X-Frame-Options");
  EXPECT_EQ(api.headers->response.set[0].value.text, "DENY");
  EXPECT_EQ(api.headers->response.set[1].name, "Strict-Transport-Security");
  EXPECT_EQ(api.headers->response.set[1].value.text, "max-age=31536000");
  EXPECT_EQ(api.headers->response.remove, (std::vector<std::string>{"Server", "X-Powered-By"}));

  const auto& files = std::get<StaticAction>(routes[1].action);
  EXPECT_EQ(routes[1].match.host, "*.example.com");
  EXPECT_EQ(files.root, "/srv/app/public");
  EXPECT_EQ(files.index, "home.html");
  EXPECT_EQ(files.expires, std::chrono::days(365));
  EXPECT_TRUE(files.immutable);

  const auto& redirect = std::get<RedirectAction>(routes[2].action);
  EXPECT_EQ(redirect.to.text, "https://example.com/new");
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(std::get<RedirectAction>(routes[3].action).status, 301);

  ASSERT_TRUE(routes[4].retry);  // given, even if empty: the gateway must not add its default
  EXPECT_EQ(routes[4].retry->on, (std::vector<RetryOn>{RetryOn::error, RetryOn::timeout}));
  EXPECT_EQ(routes[4].retry->tries, 3u);
}

TEST(ParseRoute, ReportsLocalMistakes) {
  EXPECT_EQ(errors_of(std::string(kHeader) + R"(  - match: { host: "bad host", path: /a }
    static: { index: x.html }
    cache: { ttl: 1d }
  - match: { path: /b }
    upstream: app
    retry: { on: [], tries: 0 }
    rate_limit: { burst: 5 }
    headers: { set: { "Bad Header": x }, remove: ["a:b"] }
    timeouts: { read: 0 }
  - matches: { path: /c }
    redirect: { to: /d, status: 302 }
)"),
            (Lines{
                "5:20: routes[0].match.host: invalid host 'bad host': use a name such as "
                "example.com or *.example.com, without a port",
                "6:13: missing required key 'root' in routes[0].static",
                "7:5: routes[0].cache: only applies to routes with an 'upstream'",
                "10:18: routes[1].retry.on: must not be empty (remove 'retry' to use the default)",
                "10:29: routes[1].retry.tries: must be between 1 and 100, got 0",
                "11:17: missing required key 'per_client' in routes[1].rate_limit",
                "12:23: routes[1].headers.set.Bad Header: invalid header name 'Bad Header'",
                "12:51: routes[1].headers.remove[0]: invalid header name 'a:b'",
                "13:23: routes[1].timeouts.read: must be greater than 0",
                "14:5: unknown key 'matches' in routes[2] (did you mean 'match'?)",
            }));
}

}  // namespace
}  // namespace flotilla::config
