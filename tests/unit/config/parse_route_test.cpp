// routes: matching, the three actions, and the optional per-route policies.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

constexpr std::string_view kRouteHeader =
    "listen: [\"127.0.0.1:8080\"]\nupstreams:\n  app: { servers: [\"127.0.0.1:9000\"] }\n"
    "routes:\n";

std::vector<Route> routes_of(std::string_view routes_yaml) {
  return load_ok(std::string(kRouteHeader) + std::string(routes_yaml)).routes;
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
  EXPECT_FALSE(r.ignore_client_abort);
  EXPECT_FALSE(r.allow_trace);
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
    static: { root: public, index: home.html, expires: 1y, immutable: true, precompressed: true,
              fallback: app/index.html, follow_symlinks: true, show_hidden: true }
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
  EXPECT_EQ(api.cache->ttl.default_ttl, std::chrono::days(30));
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
  EXPECT_TRUE(files.precompressed);
  EXPECT_EQ(files.fallback, "app/index.html");
  EXPECT_TRUE(files.follow_symlinks);
  EXPECT_TRUE(files.show_hidden);

  const auto& redirect = std::get<RedirectAction>(routes[2].action);
  EXPECT_EQ(redirect.to.text, "https://example.com/new");
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(std::get<RedirectAction>(routes[3].action).status, 301);

  ASSERT_TRUE(routes[4].retry);  // given, even if empty: the gateway must not add its default
  EXPECT_EQ(routes[4].retry->on, (std::vector<RetryOn>{RetryOn::error, RetryOn::timeout}));
  EXPECT_EQ(routes[4].retry->tries, 3u);
}

TEST(ParseRoute, StaticDefaultsAndNamesThatWouldLeaveRoot) {
  const auto routes = routes_of(R"(  - match: { path: /s/ }
    static: { root: s }
)");
  const auto& files = std::get<StaticAction>(routes[0].action);
  EXPECT_EQ(files.index, "index.html");
  EXPECT_FALSE(files.precompressed || files.follow_symlinks || files.show_hidden);
  EXPECT_EQ(files.fallback, "");
  const Lines errors = errors_of(std::string(kRouteHeader) + R"(  - match: { path: /a }
    static: { root: s, index: ../x.html, fallback: /etc/passwd }
  - match: { path: /b }
    static: { root: s, index: a/b.html, fallback: "a/../../b" }
)");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_NE(errors[0].find("routes[0].static.index: invalid '../x.html': a plain file name"),
            std::string::npos)
      << errors[0];
  EXPECT_NE(errors[1].find("routes[0].static.fallback: invalid '/etc/passwd': a relative path"),
            std::string::npos)
      << errors[1];
  EXPECT_NE(errors[2].find("invalid 'a/b.html': a plain file name"), std::string::npos)
      << errors[2];
  EXPECT_NE(errors[3].find("'a/../../b'"), std::string::npos) << errors[3];
}

TEST(ParseRoute, ReportsLocalMistakes) {
  EXPECT_EQ(errors_of(std::string(kRouteHeader) + R"(  - match: { host: "bad host", path: /a }
    static: { index: x.html }
    cache: { ttl: 1d }
  - match: { path: /b }
    upstream: app
    retry: { on: [], tries: 0 }
    rate_limit: { burst: 5 }
    headers: { set: { "Bad Header": x }, remove: ["a:b"] }
    allow_trace: maybe
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
                "13:18: routes[1].allow_trace: expected true or false, got 'maybe'",
                "14:23: routes[1].timeouts.read: must be greater than 0",
                "15:5: unknown key 'matches' in routes[2] (did you mean 'match'?)",
            }));
}

using Parts = std::vector<TemplatePart>;

TemplatePart lit(std::string text) {
  return TemplatePart{std::move(text), std::nullopt};
}
TemplatePart var(Variable variable) {
  return TemplatePart{"", variable};
}

TEST(ParseRoute, HeaderRulesPerDirection) {
  const auto routes = routes_of(R"(  - upstream: app
    headers:
      request:
        set: { X-Request-Id: $request_id, Host: backend.internal }
        add: { X-Trace: "a", Via: [one, "two $host"] }
        remove: X-Debug
      response:
        set: { Strict-Transport-Security: "max-age=63072000", X-Empty: "" }
        remove: [Server, x-powered-by]
)");
  const HeaderRules& h = routes.at(0).headers.value();
  ASSERT_EQ(h.request.set.size(), 2u);
  EXPECT_EQ(h.request.set[0].name, "X-Request-Id");
  EXPECT_EQ(h.request.set[0].value.text, "$request_id");
  EXPECT_EQ(h.request.set[0].value.parts, (Parts{var(Variable::request_id)}));
  EXPECT_EQ(h.request.set[1].name, "Host");
  EXPECT_EQ(h.request.set[1].value.parts, (Parts{lit("backend.internal")}));
  ASSERT_EQ(h.request.add.size(), 3u);
  EXPECT_EQ(h.request.add[0].name, "X-Trace");
  EXPECT_EQ(h.request.add[1].name, "Via");
  EXPECT_EQ(h.request.add[1].value.text, "one");
  EXPECT_EQ(h.request.add[2].name, "Via");
  EXPECT_EQ(h.request.add[2].value.parts, (Parts{lit("two "), var(Variable::host)}));
  EXPECT_EQ(h.request.remove, std::vector<std::string>{"X-Debug"});
  ASSERT_EQ(h.response.set.size(), 2u);
  EXPECT_EQ(h.response.set[1].name, "X-Empty");
  EXPECT_TRUE(h.response.set[1].value.parts.empty());
  EXPECT_TRUE(h.response.add.empty());
  EXPECT_EQ(h.response.remove, (std::vector<std::string>{"Server", "x-powered-by"}));
}

TEST(ParseRoute, FlatHeadersAreShorthandForResponse) {
  const auto routes = routes_of(R"(  - upstream: app
    headers: { set: { X-A: "1" }, add: { X-B: "2" }, remove: [X-C] }
  - match: { path: /s/ }
    static: { root: s }
    headers: {}
)");
  const HeaderRules& h = routes.at(0).headers.value();
  EXPECT_TRUE(h.request.empty());
  ASSERT_EQ(h.response.set.size(), 1u);
  EXPECT_EQ(h.response.set[0].name, "X-A");
  ASSERT_EQ(h.response.add.size(), 1u);
  EXPECT_EQ(h.response.add[0].value.text, "2");
  EXPECT_EQ(h.response.remove, std::vector<std::string>{"X-C"});
  ASSERT_TRUE(routes.at(1).headers);
  EXPECT_TRUE(routes.at(1).headers->request.empty());
  EXPECT_TRUE(routes.at(1).headers->response.empty());
}

TEST(ParseRoute, ReportsHeaderRuleMistakes) {
  EXPECT_EQ(errors_of(std::string(kRouteHeader) + R"(  - upstream: app
    headers:
      set: { X-A: "1" }
      response: { set: { X-B: "2" } }
      remove: [X-C]
  - match: { path: /b }
    upstream: app
    headers:
      request:
        set: { content-length: "0", X-A: "1", x-a: "2", X-Bad: "$hots", X-Nl: "a\nb" }
        add: { Transfer-Encoding: chunked, X-L: [], X-M: { a: b } }
        remove: [TE, x-A, X-Z, x-z, Upgrade]
      response:
        set: { X-A: "1", X-A: "2" }
        add: { X-Add: "1" }
        remove: [x-add, Keep-Alive, Proxy-Connection, Trailer, connection]
        replace: { X: y }
  - match: { path: /c }
    upstream: app
    headers: [X-A]
)"),
            (Lines{
                "7:7: routes[0].headers.set: the flat form is shorthand for 'response:' and "
                "cannot be mixed with 'request' or 'response'; move 'set' under 'response:'",
                "9:7: routes[0].headers.remove: the flat form is shorthand for 'response:' and "
                "cannot be mixed with 'request' or 'response'; move 'remove' under 'response:'",
                "14:16: routes[1].headers.request.set.content-length: 'content-length' is managed "
                "by the proxy (message framing and hop-by-hop headers) and cannot be set, added "
                "or removed",
                "14:47: routes[1].headers.request.set.x-a: 'X-A' is already set on line 14 "
                "(header names are case-insensitive)",
                "14:64: routes[1].headers.request.set.X-Bad: unknown variable $hots in '$hots'; "
                "known: $scheme, $host, $remote_addr, $request_id, $request_uri",
                "14:79: routes[1].headers.request.set.X-Nl: a header value must not contain line "
                "breaks or other control characters",
                "15:16: routes[1].headers.request.add.Transfer-Encoding: 'Transfer-Encoding' is "
                "managed by the proxy (message framing and hop-by-hop headers) and cannot be set, "
                "added or removed",
                "15:49: routes[1].headers.request.add.X-L: must not be empty",
                "15:58: routes[1].headers.request.add.X-M: expected a header value, got a mapping",
                "16:18: routes[1].headers.request.remove[0]: 'TE' is managed by the proxy (message "
                "framing and hop-by-hop headers) and cannot be set, added or removed",
                "16:22: routes[1].headers.request.remove[1]: 'x-A' is also in 'set' (line 14), "
                "which already replaces it",
                "16:32: routes[1].headers.request.remove[3]: 'x-z' is already removed on line 16",
                "16:37: routes[1].headers.request.remove[4]: 'Upgrade' is managed by the proxy "
                "(message framing and hop-by-hop headers) and cannot be set, added or removed",
                "18:26: duplicate key 'X-A' in routes[1].headers.response.set (first given on "
                "line 18)",
                "20:18: routes[1].headers.response.remove[0]: 'x-add' is also in 'add' (line 19); "
                "use 'set' to replace it",
                "20:25: routes[1].headers.response.remove[1]: 'Keep-Alive' is managed by the proxy "
                "(message framing and hop-by-hop headers) and cannot be set, added or removed",
                "20:37: routes[1].headers.response.remove[2]: 'Proxy-Connection' is managed by the "
                "proxy (message framing and hop-by-hop headers) and cannot be set, added or "
                "removed",
                "20:55: routes[1].headers.response.remove[3]: 'Trailer' is managed by the proxy "
                "(message framing and hop-by-hop headers) and cannot be set, added or removed",
                "20:64: routes[1].headers.response.remove[4]: 'connection' is managed by the "
                "proxy (message framing and hop-by-hop headers) and cannot be set, added or "
                "removed",
                "21:9: unknown key 'replace' in routes[1].headers.response",
                "24:14: routes[2].headers: expected a mapping, got a list",
            }));
}

TEST(ParseRoute, RedirectTargetsAreTemplates) {
  const Spec spec = load_ok(std::string(kRouteHeader) + R"(  - match: { path: /a }
    redirect: { to: "https://$host$request_uri", status: 303 }
  - match: { path: /b }
    redirect: { to: "https://${DOMAIN}/b?from=$remote_addr", status: 302 }
  - match: { path: /c }
    redirect: { to: "/pay/$$5" }
)",
                            {{"DOMAIN", "example.com"}});
  const auto& a = std::get<RedirectAction>(spec.routes.at(0).action);
  EXPECT_EQ(a.to.text, "https://$host$request_uri");
  EXPECT_EQ(a.to.parts, (Parts{lit("https://"), var(Variable::host), var(Variable::request_uri)}));
  EXPECT_EQ(a.status, 303);
  const auto& b = std::get<RedirectAction>(spec.routes.at(1).action);
  EXPECT_EQ(b.to.text, "https://example.com/b?from=$remote_addr");
  EXPECT_EQ(b.to.parts, (Parts{lit("https://example.com/b?from="), var(Variable::remote_addr)}));
  EXPECT_EQ(b.status, 302);
  const auto& c = std::get<RedirectAction>(spec.routes.at(2).action);
  EXPECT_EQ(c.to.parts, (Parts{lit("/pay/$5")}));
  EXPECT_TRUE(c.to.constant());
  EXPECT_EQ(c.status, 301);

  EXPECT_EQ(errors_of(std::string(kRouteHeader) + R"(  - match: { path: /a }
    redirect: { to: "https://$hots$request_uri", status: 300 }
  - match: { path: /b }
    redirect: { to: "/a b" }
  - match: { path: /c }
    redirect: { status: 308 }
)"),
            (Lines{
                "6:21: routes[0].redirect.to: unknown variable $hots in "
                "'https://$hots$request_uri'; known: $scheme, $host, $remote_addr, $request_id, "
                "$request_uri",
                "6:58: routes[0].redirect.status: expected one of 301, 302, 303, 307, 308, got "
                "'300'",
                "8:21: routes[1].redirect.to: must be a URL or path without spaces or control "
                "characters (percent-encode them)",
                "10:15: missing required key 'to' in routes[2].redirect",
            }));
}

TEST(ParseRoute, SwitchesOnAnyRouteKind) {
  const Spec spec = load_ok(std::string(kRouteHeader) + R"(  - upstream: app
    ignore_client_abort: true
    allow_trace: true
  - match: { path: /s/ }
    static: { root: s }
    allow_trace: false
    ignore_client_abort: false
  - match: { path: /r }
    redirect: { to: /x }
    allow_trace: true
)");
  ASSERT_EQ(spec.routes.size(), 3u);
  EXPECT_TRUE(spec.routes[0].ignore_client_abort);
  EXPECT_TRUE(spec.routes[0].allow_trace);
  EXPECT_FALSE(spec.routes[1].ignore_client_abort);
  EXPECT_FALSE(spec.routes[1].allow_trace);
  EXPECT_TRUE(spec.routes[2].allow_trace);
  std::vector<std::string> gated;
  for (const FeatureUse& use : spec.features) {
    gated.push_back(fmt::format("{} {}:{} {}", use.feature, use.pos.line, use.pos.column, use.key));
  }
  EXPECT_EQ(gated, (std::vector<std::string>{
                       "client_abort 6:5 routes[0].ignore_client_abort",
                       "trace 7:5 routes[0].allow_trace",
                       "static 9:5 routes[1].static",
                       "redirect 13:5 routes[2].redirect",
                       "trace 14:5 routes[2].allow_trace",
                   }));
}

}  // namespace
}  // namespace flotilla::config

namespace flotilla::config {
namespace {

TEST(ParseRouteTail, PerTryTimeoutAndHedge) {
  const auto routes = testing::load_ok(std::string(kRouteHeader) + R"(  - match: { path: /a }
    upstream: app
    retry: { per_try_timeout: auto }
    hedge: { after: 40ms }
  - match: { path: /b }
    upstream: app
    retry: { per_try_timeout: 2s }
    hedge: {}
  - upstream: app
)")
                          .routes;
  ASSERT_EQ(routes.size(), 3u);
  ASSERT_TRUE(routes[0].retry && routes[0].retry->per_try_timeout);
  EXPECT_TRUE(routes[0].retry->per_try_timeout->automatic);
  ASSERT_TRUE(routes[0].hedge);
  EXPECT_FALSE(routes[0].hedge->after.automatic);
  EXPECT_EQ(routes[0].hedge->after.fixed, std::chrono::milliseconds(40));
  EXPECT_EQ(routes[0].hedge->max, 1u);
  ASSERT_TRUE(routes[1].retry && routes[1].retry->per_try_timeout);
  EXPECT_EQ(*routes[1].retry->per_try_timeout, (AdaptiveDuration{false, std::chrono::seconds(2)}));
  ASSERT_TRUE(routes[1].hedge);
  EXPECT_TRUE(routes[1].hedge->after.automatic);  // `after` defaults to auto
  EXPECT_FALSE(routes[2].hedge);                  // off unless asked for
}

TEST(ParseRouteTail, RejectsBadValues) {
  const auto errors = testing::errors_of(std::string(kRouteHeader) + R"(  - upstream: app
    retry: { per_try_timeout: soon }
    hedge: { after: 0s, max: 2 }
)");
  ASSERT_EQ(errors.size(), 3u) << ::testing::PrintToString(errors);
  EXPECT_NE(errors[0].find("per_try_timeout"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("hedge.after"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("hedge.max"), std::string::npos) << errors[2];
}

}  // namespace
}  // namespace flotilla::config
