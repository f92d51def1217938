// Cross-section checks: references, colliding addresses and ports, unreachable routes — and
// that a value which failed to parse never causes a second, derived error.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using Lines = std::vector<std::string>;

TEST(Validate, AValidCrossReferencedFileHasNoErrors) {
  EXPECT_EQ(errors_of(R"(listen: ["0.0.0.0:8080", "[::1]:8081", "unix:gw.sock", "127.0.0.1:0",
  "127.0.0.1:0"]
services:
  web: { command: ./w, ports: 9000-9009 }
  api: { command: ./a, ports: 9010-9019 }
upstreams:
  app: { service: web }
  both: { service: api, servers: ["10.0.0.1:80"] }
routes:
  - { match: { path: /api/ }, upstream: both }
  - { match: { host: a.example.com }, upstream: app }
  - upstream: app
)"),
            Lines{});
}

TEST(Validate, UnknownReferencesSuggestNames) {
  EXPECT_EQ(errors_of(R"(listen: ["0.0.0.0:8080"]
services:
  web: { command: ./w, ports: 9000-9009 }
upstreams:
  app: { service: webb }
routes:
  - upstream: apps
)"),
            (Lines{"5:19: upstreams.app.service: unknown service 'webb' (did you mean 'web'?)",
                   "7:15: routes[0].upstream: unknown upstream 'apps' (did you mean 'app'?)"}));
  EXPECT_EQ(errors_of("upstreams:\n  app: { service: web }\n"),
            Lines{"2:19: upstreams.app.service: unknown service 'web' (no services are defined)"});
}

TEST(Validate, BrokenEntriesStillResolveByName) {
  // The service and upstream have errors of their own, but references to them are fine.
  EXPECT_EQ(errors_of(R"(listen: ["0.0.0.0:8080"]
services:
  web: { command: ./w, ports: 9000-9009, replicas: lots }
upstreams:
  app: { service: web, balance: fastest }
routes:
  - upstream: app
)"),
            (Lines{"3:52: services.web.replicas: expected an integer, got 'lots'",
                   "5:33: upstreams.app.balance: expected one of round_robin, least_conn, "
                   "random_two, hash, ip_hash, got 'fastest'"}));
}

TEST(Validate, ReferencesIntoABrokenSectionAreNotJudged) {
  EXPECT_EQ(errors_of(R"(listen: ["0.0.0.0:8080"]
services: [web]
upstreams:
  - app
routes:
  - upstream: app
upstreams_extra: 1
)"),
            (Lines{"2:11: services: expected a mapping, got a list",
                   "4:3: upstreams: expected a mapping, got a list",
                   "7:1: unknown top-level key 'upstreams_extra'"}));
  EXPECT_EQ(errors_of("services: 5\nupstreams:\n  app: { service: web }\n"),
            Lines{"1:11: services: expected a mapping, got '5'"});
}

TEST(Validate, ABrokenPortRangeIsNotAlsoReportedAsMissing) {
  EXPECT_EQ(
      errors_of(R"(services:
  web: { command: ./w, ports: 9000-90 }
  api: { command: ./a, ports: 9000-9001 }
upstreams:
  app: { service: web }
)"),
      Lines{"2:31: services.web.ports: invalid port range '9000-90': 9000 is greater than 90"});
}

TEST(Validate, OverlappingPortRanges) {
  EXPECT_EQ(errors_of(R"(services:
  a: { command: ./a, ports: 9000-9010 }
  b: { command: ./b, ports: 9020-9030 }
  c: { command: ./c, ports: 9010-9020 }
)"),
            Lines{"4:29: services.c.ports: 9010-9020 overlaps the ports of service 'a' "
                  "(9000-9010)"});
}

TEST(Validate, ListenerCollisions) {
  EXPECT_EQ(errors_of(R"(listen:
  - "[::]:8080"
  - "127.0.0.1:8080"
  - "unix:/run/a.sock"
  - { address: "unix:/run/a.sock" }
  - "10.0.0.1:9000"
services:
  web: { command: ./w, ports: 9000-9009 }
admin: { listen: "0.0.0.0:8080" }
)"),
            (Lines{
                "3:5: listen[1]: '127.0.0.1:8080' conflicts with listen[0] ('[::]:8080')",
                "5:16: listen[3].address: duplicate listen address 'unix:/run/a.sock' (also "
                "listen[2])",
                "9:18: admin.listen: '0.0.0.0:8080' conflicts with listen[0] ('[::]:8080')",
                "9:18: admin.listen: '0.0.0.0:8080' conflicts with listen[1] ('127.0.0.1:8080')",
            }));
}

TEST(Validate, TheDefaultAdminPortBlamesThePortRange) {
  EXPECT_EQ(errors_of("services:\n  web: { command: ./w, ports: 9000-9099 }\n"),
            Lines{"2:31: services.web.ports: 9000-9099 includes port 9090 of the admin listener "
                  "(set admin.listen to move it)"});
  EXPECT_EQ(errors_of("services:\n  web: { command: ./w, ports: 9000-9099 }\n"
                      "admin: { listen: \"127.0.0.1:7000\" }\n"),
            Lines{});
}

TEST(Validate, RoutesNeedAListenerAndDistinctMatches) {
  EXPECT_EQ(errors_of(R"(upstreams:
  app: { servers: ["10.0.0.1:80"] }
routes:
  - { match: { path: /a }, upstream: app }
  - { match: { path: /a }, upstream: app }
  - { match: { path: /a, host: x.org }, upstream: app }
)"),
            (Lines{"4:3: routes: there is no 'listen' address to serve them on",
                   "5:5: routes[1]: same match as routes[0] (host any, path /a), so it can never "
                   "be used"}));
}

TEST(Validate, ARouteWithABrokenMatchIsNotADuplicate) {
  EXPECT_EQ(errors_of(R"(listen: ["127.0.0.1:8080"]
upstreams:
  app: { servers: ["10.0.0.1:80"] }
routes:
  - { upstream: app }
  - { match: { path: oops }, upstream: app }
  - not a route
  - not a route
)"),
            (Lines{"6:22: routes[1].match.path: must start with '/', got 'oops'",
                   "7:5: routes[2]: expected a mapping, got 'not a route'",
                   "8:5: routes[3]: expected a mapping, got 'not a route'"}));
}

TEST(Validate, RedirectHttpsNeedsATlsListener) {
  EXPECT_EQ(errors_of(R"(listen:
  - { address: "0.0.0.0:80", redirect_https: true }
  - { address: "0.0.0.0:81", redirect_https: false }
  - { address: "0.0.0.0:82", redirect_https: true }
)"),
            (Lines{"2:46: listen[0].redirect_https: no TLS listener to redirect to (add a listener "
                   "with 'tls:')",
                   "4:46: listen[2].redirect_https: no TLS listener to redirect to (add a listener "
                   "with 'tls:')"}));
  EXPECT_EQ(errors_of(R"(listen:
  - { address: "0.0.0.0:80", redirect_https: true }
  - { address: "0.0.0.0:443", tls: { cert: c.pem, key: k.pem } }
)"),
            Lines{});
  // A TLS listener with mistakes of its own still counts: only its own error is reported.
  EXPECT_EQ(errors_of(R"(listen:
  - { address: "0.0.0.0:80", redirect_https: true }
  - { address: "0.0.0.0:443", tls: [c.pem] }
)"),
            Lines{"3:36: listen[1].tls: expected a mapping, got a list"});
  // And on a TLS listener itself it stays the local error.
  EXPECT_EQ(errors_of(R"(listen:
  - { address: "0.0.0.0:443", tls: { cert: c.pem, key: k.pem }, redirect_https: true }
)"),
            Lines{"2:65: listen[0].redirect_https: this listener already serves TLS; set it on the "
                  "plain-HTTP listener"});
}

TEST(Validate, HstsAndAStrictTransportSecurityHeaderRuleConflict) {
  EXPECT_EQ(errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, key: k.pem }
    hsts: true
    headers: { response: { add: { strict-transport-security: "max-age=1" } } }
upstreams:
  app: { servers: ["10.0.0.1:80"] }
routes:
  - { match: { path: /a }, upstream: app, headers: { request: { set: { Strict-Transport-Security: x } } } }
  - { upstream: app, headers: { set: { Strict-Transport-Security: "max-age=1" } } }
)"),
            (Lines{"5:14: listen[0].headers: sets Strict-Transport-Security, which "
                   "listen[0].hsts already sends; keep one of the two",
                   "10:31: routes[1].headers: sets Strict-Transport-Security, which "
                   "listen[0].hsts already sends; keep one of the two"}));
  // Without hsts, a header rule is the way to send it (examples/mangakai does).
  EXPECT_EQ(errors_of(R"(listen: ["0.0.0.0:80"]
upstreams:
  app: { servers: ["10.0.0.1:80"] }
routes:
  - { upstream: app, headers: { set: { Strict-Transport-Security: "max-age=1" } } }
)"),
            Lines{});
}

}  // namespace
}  // namespace flotilla::config
