#include "gateway/snapshot_builder.hpp"

#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace flotilla::gateway {
namespace {

config::Spec load(std::string_view yaml) {
  auto result = config::load_string(yaml, "test.yaml", "/tmp",
                                    [](std::string_view) { return std::optional<std::string>(); });
  for (const auto& e : result.errors) ADD_FAILURE() << config::format_diagnostic(e);
  return std::move(*result.spec);
}

constexpr std::string_view kConfig = R"(
listen:
  - address: "127.0.0.1:0"
    health: /health
services:
  web:
    command: "sleep 100"
    ports: 8000-8009
upstreams:
  app:
    service: web
    servers: [{ address: "127.0.0.1:9001", backup: true, weight: 2 }]
    balance: least_conn
    max_fails: 3
    fail_timeout: 30s
    keepalive: 8
  other:
    servers: ["127.0.0.1:9002"]
routes:
  - match: { path: / }
    upstream: app
    retry: { on: [error, http_503], tries: 2 }
    timeouts: { connect: 1s, read: 300s }
  - match: { host: "*.example.com", path: /api/ }
    upstream: other
)";

TEST(SnapshotBuilder, MapsRoutesUpstreamsAndRetryPolicy) {
  const config::Spec spec = load(kConfig);
  std::vector<std::string> errors;
  SnapshotBuilder builder(spec, errors);
  EXPECT_TRUE(errors.empty());
  const SnapshotPtr snapshot = builder.build();
  ASSERT_EQ(snapshot->routes.size(), 2u);
  EXPECT_EQ(snapshot->routes[0].upstream, 0u);
  EXPECT_EQ(snapshot->routes[0].retry.on, config::retry_bit(config::RetryOn::error) |
                                              config::retry_bit(config::RetryOn::http_503));
  EXPECT_EQ(snapshot->routes[0].retry.tries, 2u);
  EXPECT_EQ(snapshot->routes[0].timeouts.connect, std::chrono::seconds(1));
  EXPECT_EQ(snapshot->routes[0].timeouts.read, std::chrono::seconds(300));
  // Without a retry block: error and timeout, 3 tries (nginx's proxy_next_upstream default).
  EXPECT_EQ(snapshot->routes[1].retry.on, config::retry_bit(config::RetryOn::error) |
                                              config::retry_bit(config::RetryOn::timeout));
  EXPECT_EQ(snapshot->routes[1].retry.tries, 3u);
  EXPECT_EQ(snapshot->table.match("a.example.com", "/api/x"), 1u);
  EXPECT_EQ(snapshot->table.match("a.example.com", "/"), 0u);

  const UpstreamTarget& app = snapshot->upstreams[0];
  EXPECT_EQ(app.spec.balance, upstream::BalanceKind::least_conn);
  EXPECT_EQ(app.spec.max_fails, 3u);
  EXPECT_EQ(app.spec.fail_timeout, std::chrono::seconds(30));
  EXPECT_EQ(app.keepalive.idle_per_endpoint, 8u);
  ASSERT_EQ(app.spec.endpoints.size(), 1u);  // no instance ready yet: only the backup
  EXPECT_TRUE(app.spec.endpoints[0].backup);
  EXPECT_EQ(app.spec.endpoints[0].weight, 2u);
}

TEST(SnapshotBuilder, ReadyInstancesJoinTheirUpstream) {
  const config::Spec spec = load(kConfig);
  std::vector<std::string> errors;
  SnapshotBuilder builder(spec, errors);
  const SnapshotPtr first = builder.build();
  const SnapshotPtr second = builder.build(
      {{"web", {{"web/0", "127.0.0.1:8000"}, {"web/1", "127.0.0.1:8001"}, {"bad", "x"}}}});
  EXPECT_GT(second->generation, first->generation);
  const UpstreamTarget& app = second->upstreams[0];
  ASSERT_EQ(app.spec.endpoints.size(), 3u);
  EXPECT_EQ(app.spec.endpoints[0].key, "web/0");
  EXPECT_EQ(app.addresses[1].port(), 8001);
  EXPECT_TRUE(app.spec.endpoints[2].backup);
  EXPECT_EQ(second->upstreams[1].spec.endpoints.size(), 1u);  // not service-backed: unchanged
}

TEST(ListenerSettings, FromConfig) {
  const config::Spec spec = load(kConfig);
  std::vector<std::string> errors;
  const auto listeners = build_listener_settings(spec, errors);
  ASSERT_EQ(listeners.size(), 1u);
  EXPECT_EQ(listeners[0].endpoint.address().to_string(), "127.0.0.1");
  EXPECT_EQ(listeners[0].limits.max_headers, 100u);
}

TEST(ListenerSettings, Http2LimitsFromConfig) {
  const config::Spec spec = load(R"(
listen:
  - address: "127.0.0.1:0"
    http2: true
    timeouts: { keepalive: 30s }
    limits: { max_request_line: 4Ki }
  - address: "127.0.0.1:0"
    http2: { max_concurrent_streams: 10, initial_window: 1Mi, max_header_list: 2Ki,
             max_frame_size: 32Ki, idle_timeout: 5s, floods: { resets: 7, continuations: 3 } }
routes: [{ upstream: app }]
upstreams: { app: { servers: ["127.0.0.1:9"] } }
)");
  std::vector<std::string> errors;
  const auto listeners = build_listener_settings(spec, errors);
  ASSERT_EQ(listeners.size(), 2u);
  const h2::Limits& plain = listeners[0].http2_limits;
  EXPECT_EQ(plain.max_concurrent_streams, 128u);
  EXPECT_EQ(plain.initial_window, 65536u);
  EXPECT_EQ(plain.max_header_list, 4096u + 8192u);  // the HTTP/1 limits' sum
  EXPECT_EQ(plain.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(plain.reset_burst, 200u);
  const h2::Limits& tuned = listeners[1].http2_limits;
  EXPECT_EQ(tuned.max_concurrent_streams, 10u);
  EXPECT_EQ(tuned.initial_window, 1024u * 1024u);
  EXPECT_EQ(tuned.max_header_list, 2048u);
  EXPECT_EQ(tuned.max_frame_size, 32768u);
  EXPECT_EQ(tuned.idle_timeout, std::chrono::seconds(5));
  EXPECT_EQ(tuned.reset_rate, 7u);
  EXPECT_EQ(tuned.reset_burst, 7u * h2::kResetBurstSeconds);
  EXPECT_EQ(tuned.max_continuations, 3u);
}

}  // namespace
}  // namespace flotilla::gateway
