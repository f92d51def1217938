// The protection keys: access rules, trusted proxies, PROXY protocol, connection limits,
// min_rate, methods and the block filter; their errors at FILE:LINE:COL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using ::testing::ElementsAre;
using testing::errors_of;
using ::testing::HasSubstr;
using testing::load_ok;
using ::testing::StartsWith;

TEST(ParseProtection, ReadsEveryKey) {
  const Spec spec = load_ok(R"(
trusted_proxies: [10.0.0.0/8, "fd00::/8"]
max_connections: 5000
listen:
  - address: "127.0.0.1:8080"
    allow: 192.0.2.0/24
    deny: ["192.0.2.7", "2001:db8::/32"]
    trusted_proxies: []
    proxy_protocol: true
    max_connections: 100
    max_connections_per_client: 8
    min_rate: { rate: 1Ki, window: 5s }
routes:
  - match: { path: / }
    upstream: app
    allow: [0.0.0.0/0, "::/0"]
    methods: [GET, POST]
    block: { path_regex: "/wp-admin", user_agent: "sqlmap", header: { X-Scan: "^1$" } }
upstreams:
  app: { servers: ["127.0.0.1:9000"] }
)");
  EXPECT_THAT(spec.protection.trusted_proxies, ElementsAre("10.0.0.0/8", "fd00::/8"));
  EXPECT_EQ(spec.protection.max_connections, 5000u);
  ASSERT_EQ(spec.listeners.size(), 1u);
  const ListenerProtection& l = spec.listeners[0].protection;
  EXPECT_THAT(l.access.allow, ElementsAre("192.0.2.0/24"));
  EXPECT_THAT(l.access.deny, ElementsAre("192.0.2.7", "2001:db8::/32"));
  ASSERT_TRUE(l.trusted_proxies);
  EXPECT_TRUE(l.trusted_proxies->empty());  // trusts nobody, whatever the top level says
  EXPECT_TRUE(l.proxy_protocol);
  EXPECT_EQ(l.max_connections, 100u);
  EXPECT_EQ(l.max_connections_per_client, 8u);
  EXPECT_EQ(l.min_rate.rate, 1024u);
  EXPECT_EQ(l.min_rate.window, std::chrono::seconds(5));
  ASSERT_EQ(spec.routes.size(), 1u);
  const RouteProtection& r = spec.routes[0].protection;
  EXPECT_THAT(r.access.allow, ElementsAre("0.0.0.0/0", "::/0"));
  EXPECT_THAT(r.methods, ElementsAre("GET", "POST"));
  ASSERT_TRUE(r.block);
  EXPECT_EQ(r.block->path_regex, "/wp-admin");
  EXPECT_EQ(r.block->user_agent, "sqlmap");
  ASSERT_EQ(r.block->headers.size(), 1u);
  EXPECT_EQ(r.block->headers[0].first, "X-Scan");
}

TEST(ParseProtection, DefaultsAreOff) {
  const Spec spec = load_ok("listen: [\"127.0.0.1:8080\"]\n");
  const ListenerProtection& l = spec.listeners[0].protection;
  EXPECT_TRUE(l.access.empty());
  EXPECT_FALSE(l.trusted_proxies);
  EXPECT_FALSE(l.proxy_protocol);
  EXPECT_EQ(l.max_connections, 0u);
  EXPECT_EQ(l.min_rate.rate, 0u);
  EXPECT_TRUE(spec.protection.trusted_proxies.empty());
}

TEST(ParseProtection, BadValuesAreReportedWhereTheyAre) {
  const auto errors = errors_of(R"(listen:
  - address: "127.0.0.1:8080"
    allow: [10.0.0.1/8]
    deny: [nonsense, "10.0.0.0/33"]
    max_connections: 0
    min_rate: { window: 1s }
routes:
  - match: { path: / }
    redirect: { to: /x }
    methods: [get]
    block: { path_regex: "(", header: { "bad name": x } }
)");
  ASSERT_EQ(errors.size(), 8u) << ::testing::PrintToString(errors);
  EXPECT_THAT(errors[0], StartsWith("3:13: "));
  EXPECT_THAT(errors[0], HasSubstr("address bits are set below the /8 prefix"));
  EXPECT_THAT(errors[1], StartsWith("4:12: "));
  EXPECT_THAT(errors[1], HasSubstr("'nonsense' is not an IPv4 or IPv6 address"));
  EXPECT_THAT(errors[2], HasSubstr("the prefix length must be 0..32"));
  EXPECT_THAT(errors[3], StartsWith("5:22: "));
  EXPECT_THAT(errors[4], HasSubstr("min_rate"));
  EXPECT_THAT(errors[4], HasSubstr("rate"));
  EXPECT_THAT(errors[5], StartsWith("10:15: "));
  EXPECT_THAT(errors[5], HasSubstr("'get' is not a method"));
  EXPECT_THAT(errors[6], HasSubstr("invalid regular expression '('"));
  EXPECT_THAT(errors[7], StartsWith("11:41: "));
}

}  // namespace
}  // namespace flotilla::config
