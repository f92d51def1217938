// upstreams: services and servers, balancing, passive and active health, pooling.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

TEST(ParseUpstream, DefaultsFollowNginx) {
  const Spec spec = load_ok("upstreams:\n  app:\n    servers: [\"10.0.0.1:8000\"]\n");
  ASSERT_EQ(spec.upstreams.size(), 1u);
  const Upstream& u = spec.upstreams[0];
  EXPECT_EQ(u.name, "app");
  EXPECT_FALSE(u.service);
  ASSERT_EQ(u.servers.size(), 1u);
  EXPECT_EQ(u.servers[0].address, (Address{Address::Kind::tcp, "10.0.0.1", 8000, ""}));
  EXPECT_EQ(u.servers[0].weight, 1u);
  EXPECT_FALSE(u.servers[0].backup);
  EXPECT_FALSE(u.servers[0].max_fails);
  EXPECT_EQ(u.balance, Balance::round_robin);
  EXPECT_FALSE(u.hash);
  EXPECT_EQ(u.max_fails, 1u);
  EXPECT_EQ(u.fail_timeout, std::chrono::seconds(10));
  EXPECT_EQ(u.keepalive, 32u);
  EXPECT_EQ(u.keepalive_timeout, std::chrono::seconds(60));
  EXPECT_EQ(u.keepalive_requests, 1000u);
  EXPECT_FALSE(u.health_check);
  EXPECT_EQ(u.slow_start, std::chrono::seconds(0));
  EXPECT_FALSE(u.outlier);
  EXPECT_FALSE(u.tls);
}

TEST(ParseUpstream, ReadsEveryKey) {
  const Spec spec = load_ok(R"(
services:
  web: { command: ./w, ports: 8000-8009 }
upstreams:
  app:
    service: web
    servers:
      - "10.0.0.9:8000"
      - { address: "backup.example.com:80", weight: 3, backup: true, max_fails: 5,
          fail_timeout: 1m }
      - unix:sockets/app.sock
    balance: hash
    hash: { on: cookie, name: session }
    max_fails: 3
    fail_timeout: 30s
    keepalive: 64
    keepalive_timeout: 2m
    keepalive_requests: 500
    health_check: { path: /health, interval: 3s, timeout: 1s, rise: 1, fall: 2, status: [200, 204] }
    slow_start: 30s
    outlier: { consecutive_errors: 3, base_ejection: 1m, max_ejected: 50% }
  ips:
    servers: ["[fd00::1]:8000"]
    balance: ip_hash
    health_check: { path: /, status: 204 }
    outlier: {}
)");
  ASSERT_EQ(spec.upstreams.size(), 2u);
  const Upstream& u = spec.upstreams[0];
  EXPECT_EQ(u.service, "web");
  ASSERT_EQ(u.servers.size(), 3u);
  EXPECT_EQ(u.servers[1].address.host, "backup.example.com");
  EXPECT_EQ(u.servers[1].weight, 3u);
  EXPECT_TRUE(u.servers[1].backup);
  EXPECT_EQ(u.servers[1].max_fails, 5u);
  EXPECT_EQ(u.servers[1].fail_timeout, std::chrono::minutes(1));
  EXPECT_EQ(u.servers[2].address.path, "/srv/app/sockets/app.sock");
  EXPECT_EQ(u.balance, Balance::hash);
  ASSERT_TRUE(u.hash);
  EXPECT_EQ(u.hash->on, HashOn::cookie);
  EXPECT_EQ(u.hash->name, "session");
  EXPECT_EQ(u.max_fails, 3u);
  EXPECT_EQ(u.fail_timeout, std::chrono::seconds(30));
  EXPECT_EQ(u.keepalive, 64u);
  EXPECT_EQ(u.keepalive_timeout, std::chrono::minutes(2));
  EXPECT_EQ(u.keepalive_requests, 500u);
  ASSERT_TRUE(u.health_check);
  EXPECT_EQ(u.health_check->path, "/health");
  EXPECT_EQ(u.health_check->interval, std::chrono::seconds(3));
  EXPECT_EQ(u.health_check->timeout, std::chrono::seconds(1));
  EXPECT_EQ(u.health_check->rise, 1u);
  EXPECT_EQ(u.health_check->fall, 2u);
  EXPECT_EQ(u.health_check->status, (std::vector<int>{200, 204}));
  EXPECT_EQ(u.slow_start, std::chrono::seconds(30));
  ASSERT_TRUE(u.outlier);
  EXPECT_EQ(u.outlier->consecutive_errors, 3u);
  EXPECT_EQ(u.outlier->base_ejection, std::chrono::minutes(1));
  EXPECT_EQ(u.outlier->max_ejected_percent, 50.0);
  const Upstream& ips = spec.upstreams[1];
  EXPECT_EQ(ips.servers[0].address.host, "fd00::1");
  EXPECT_EQ(ips.balance, Balance::ip_hash);
  EXPECT_EQ(ips.health_check->status, std::vector<int>{204});
  EXPECT_EQ(ips.health_check->interval, std::chrono::seconds(5));
  ASSERT_TRUE(ips.outlier);
  EXPECT_EQ(ips.outlier->consecutive_errors, 5u);
  EXPECT_EQ(ips.outlier->base_ejection, std::chrono::seconds(30));
  EXPECT_EQ(ips.outlier->max_ejected_percent, 10.0);
}

TEST(ParseUpstream, ReportsLocalMistakes) {
  EXPECT_EQ(
      errors_of(R"(upstreams:
  none: { balance: random_two }
  empty: { servers: [] }
  bad:
    servers: [{ weight: 2 }, "localhost:0"]
    hash: { on: client_ip, name: x }
    balance: hash
    health_check: { interval: 0 }
    keepalive_requests: 0
)"),
      (Lines{
          "2:9: upstream 'none' needs 'service', 'servers' or both",
          "3:21: upstreams.empty.servers: must not be empty when there is no 'service'",
          "5:15: missing required key 'address' in upstreams.bad.servers[0]",
          "5:30: upstreams.bad.servers[1]: cannot connect to 'localhost:0'; give a host and a "
          "port from 1 to 65535",
          "6:28: upstreams.bad.hash.name: only used with 'on: header' or 'on: cookie'",
          "8:19: missing required key 'path' in upstreams.bad.health_check",
          "8:31: upstreams.bad.health_check.interval: must be greater than 0",
          "9:25: upstreams.bad.keepalive_requests: must be between 1 and 100000000, got 0",
      }));
}

TEST(ParseUpstream, Tls) {
  const Spec spec = load_ok(R"(upstreams:
  plain: { servers: ["10.0.0.1:443"], tls: {} }
  full:
    servers: ["api.example.com:443"]
    tls:
      verify: true
      ca: certs/internal-ca.pem
      sni: Backend.Example.com
      client_cert: /etc/ssl/client.pem
      client_key: certs/client.key
      protocols: [TLSv1.3]
  insecure: { servers: ["10.0.0.2:443"], tls: { verify: false } }
)");
  const UpstreamTls& plain = spec.upstreams.at(0).tls.value();
  EXPECT_EQ(plain.pos, (SourcePos{2, 44}));
  EXPECT_TRUE(plain.verify);
  EXPECT_FALSE(plain.ca);
  EXPECT_EQ(plain.sni, "");
  EXPECT_FALSE(plain.client_cert);
  EXPECT_FALSE(plain.client_key);
  EXPECT_EQ(plain.protocols, (std::vector<TlsProtocol>{TlsProtocol::tls1_2, TlsProtocol::tls1_3}));
  const UpstreamTls& full = spec.upstreams.at(1).tls.value();
  EXPECT_TRUE(full.verify);
  EXPECT_EQ(full.ca, "/srv/app/certs/internal-ca.pem");
  EXPECT_EQ(full.sni, "Backend.Example.com");
  EXPECT_EQ(full.client_cert, "/etc/ssl/client.pem");
  EXPECT_EQ(full.client_key, "/srv/app/certs/client.key");
  EXPECT_EQ(full.protocols, std::vector<TlsProtocol>{TlsProtocol::tls1_3});
  EXPECT_FALSE(spec.upstreams.at(2).tls->verify);
  std::vector<std::string> gated;
  for (const FeatureUse& use : spec.features) gated.push_back(use.feature + " " + use.key);
  EXPECT_EQ(gated, (std::vector<std::string>{"upstream_tls upstreams.plain.tls",
                                             "upstream_tls upstreams.full.tls",
                                             "upstream_tls upstreams.insecure.tls"}));
}

TEST(ParseUpstream, ReportsTlsMistakes) {
  EXPECT_EQ(errors_of(R"(upstreams:
  a: { servers: ["10.0.0.1:443"], tls: { verify: false, ca: ca.pem } }
  b: { servers: ["10.0.0.1:443"], tls: { client_cert: c.pem } }
  c: { servers: ["10.0.0.1:443"], tls: { client_key: k.pem, protocols: [] } }
  d: { servers: ["10.0.0.1:443"], tls: { sni: "10.0.0.1" } }
  e: { servers: ["10.0.0.1:443"], tls: { sni: "api.example.com:443", verify: maybe } }
  f: { servers: ["10.0.0.1:443"], tls: true }
  g: { servers: ["10.0.0.1:443"], tls: { cert: c.pem } }
)"),
            (Lines{
                "2:57: upstreams.a.tls.ca: not used with 'verify: false'",
                "3:42: upstreams.b.tls.client_cert: 'client_cert' needs 'client_key' as well",
                "4:42: upstreams.c.tls.client_key: 'client_key' needs 'client_cert' as well",
                "4:72: upstreams.c.tls.protocols: must not be empty",
                "5:47: upstreams.d.tls.sni: invalid SNI name '10.0.0.1': use a host name such as "
                "api.example.com (not an IP address or a port)",
                "6:47: upstreams.e.tls.sni: invalid SNI name 'api.example.com:443': use a host "
                "name such as api.example.com (not an IP address or a port)",
                "6:78: upstreams.e.tls.verify: expected true or false, got 'maybe'",
                "7:40: upstreams.f.tls: expected a mapping, got 'true'",
                "8:42: unknown key 'cert' in upstreams.g.tls",
            }));
}

}  // namespace
}  // namespace flotilla::config
