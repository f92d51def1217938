// The feature gate: what a file uses is recorded with its position, and only unsupported
// features are reported.
#include "config/feature_gate.hpp"

#include <set>

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

// Uses every gated feature once.
constexpr std::string_view kEverything = R"(listen:
  - { address: "0.0.0.0:80", redirect_https: true, health: /health, ready: /ready }
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, key: k.pem, client_ca: ca.pem }
    hsts: true
    headers: { response: { remove: [Server] } }
    http2: true
  - unix:/run/gw.sock
services:
  web:
    command: ./w
    user: app
    ports: 8000-8099
    autoscale: { max: 4 }
    resources: { cpu: 1 }
    probes:
      startup: { http: /health }
      readiness: { tcp: true }
      liveness: { exec: ./alive }
upstreams:
  a: { service: web, balance: least_conn, health_check: { path: / }, slow_start: 10s, outlier: {} }
  b: { servers: [{ address: "10.0.0.1:80", backup: true }, "10.0.0.2:80"], balance: random_two }
  c: { servers: ["10.0.0.1:80"], balance: hash, hash: { on: client_ip } }
  d: { servers: ["10.0.0.1:80"], balance: ip_hash, tls: {} }
routes:
  - { match: { path: /s/ }, static: { root: s } }
  - { match: { path: /old }, redirect: { to: /new }, allow_trace: true }
  - match: { path: / }
    upstream: a
    retry: {}
    rate_limit: { per_client: 10/s, store: { redis: "redis://127.0.0.1:6379/0" } }
    cache: {}
    headers: { remove: [Server] }
    ignore_client_abort: true
compression: { gzip: true, brotli: true }
admin: { token_env: TOKEN }
alerts: { rules: [{ name: R, expr: "x" }] }
alertmanager: { url: "http://am:9093" }
access_log: { enabled: true }
)";

TEST(FeatureGate, EveryCatalogueNameIsRecordedAndNothingElse) {
  const Spec spec = testing::load_ok(kEverything);
  std::set<std::string> recorded;
  for (const FeatureUse& use : spec.features) recorded.insert(use.feature);
  std::set<std::string> catalogue;
  for (const GatedFeature& feature : gated_features()) catalogue.insert(std::string(feature.name));
  EXPECT_EQ(recorded, catalogue);
}

TEST(FeatureGate, ReportsOnlyUnsupportedUsesInFileOrder) {
  const Spec spec = testing::load_ok(R"(listen:
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, key: k.pem }
    http2: false
upstreams:
  app: { servers: ["10.0.0.1:80"], balance: least_conn }
routes:
  - upstream: app
    retry: { tries: 2 }
compression: { gzip: true, brotli: false }
)");
  const std::vector<std::string_view> supported{"retry", "not-a-feature"};
  const std::vector<Diagnostic> diagnostics = unsupported_features(spec, supported);
  std::vector<std::string> lines;
  for (const Diagnostic& d : diagnostics) lines.push_back(format_diagnostic(d));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "test.yaml:3:5: not yet supported: listen[0].tls",
                       "test.yaml:6:36: not yet supported: upstreams.app.balance: least_conn",
                       "test.yaml:10:1: not yet supported: compression",
                   }));
}

TEST(FeatureGate, SwitchesTurnedOffAreNotRecorded) {
  const Spec spec = testing::load_ok(R"(listen:
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, key: k.pem }
    hsts: false
upstreams:
  app: { servers: ["10.0.0.1:80"] }
routes:
  - { upstream: app, ignore_client_abort: false, allow_trace: false }
)");
  ASSERT_EQ(spec.features.size(), 1u);
  EXPECT_EQ(spec.features[0].feature, "tls");
}

TEST(FeatureGate, APlainProxyNeedsNothingGated) {
  const Spec spec = testing::load_ok(R"(listen: ["127.0.0.1:8080"]
services:
  web: { command: ./w --port $PORT, replicas: 2, ports: 8000-8009 }
upstreams:
  app: { service: web, servers: ["10.0.0.1:80"], balance: round_robin, max_fails: 2 }
routes:
  - { match: { host: example.com, path: /api/ }, upstream: app, timeouts: { read: 5s } }
)");
  EXPECT_TRUE(spec.features.empty());
  EXPECT_TRUE(unsupported_features(spec, {}).empty());
}

}  // namespace
}  // namespace flotilla::config
