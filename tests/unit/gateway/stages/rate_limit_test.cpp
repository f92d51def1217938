// The rate-limit stage: N pass then the configured answer with Retry-After and the IETF
// RateLimit headers, text or JSON; keys from the address (IPv6 by /64), a header, the API key;
// dry run; delay mode's wait; first of a route's stages.
#include <gtest/gtest.h>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

using testing::load_spec;
using testing::parse_response;
using testing::PipelineHarness;

constexpr const char* kGetApi = "GET /api/x HTTP/1.1\r\nHost: h\r\n\r\n";

config::RateLimit rate_config(std::uint64_t count, std::chrono::milliseconds period) {
  config::RateLimit out;
  out.per_client = config::Rate{count, period};
  return out;
}

int count_passing(const RequestStage& stage, PipelineHarness& h, const char* raw, int requests,
                  std::string_view ip = "192.0.2.7") {
  int passed = 0;
  for (int i = 0; i < requests; ++i) {
    RequestContext& ctx = h.request(raw, nullptr, ip);
    passed += stage.on_request(ctx) == Verdict::kContinue ? 1 : 0;
  }
  return passed;
}

TEST(RateLimitStage, AdmitsNThenAnswers429WithHeaders) {
  PipelineHarness h;
  const auto stage =
      make_rate_limit_stage(rate_config(20, std::chrono::seconds(10)), "stage_test_429");
  EXPECT_EQ(stage->name(), "rate_limit");
  EXPECT_EQ(count_passing(*stage, h, kGetApi, 20), 20);
  RequestContext& ctx = h.request(kGetApi);
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  EXPECT_EQ(ctx.answer.status, 429);
  EXPECT_EQ(ctx.answer.retry_after_seconds, 1);
  EXPECT_EQ(ctx.answer.extra_lines,
            "RateLimit-Policy: \"stage_test_429\";q=20;w=10\r\n"
            "RateLimit: \"stage_test_429\";r=0;t=1\r\n");
  EXPECT_EQ(ctx.record.rate_limit, "stage_test_429");
  h.run(send_answer(ctx, ctx.answer));
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.field("Retry-After"), "1");
  EXPECT_EQ(response.field("RateLimit"), "\"stage_test_429\";r=0;t=1");
  EXPECT_EQ(response.field("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.body,
            "Too many requests: limit \"stage_test_429\" allows 20 per 10s; retry after 1s\n");
}

TEST(RateLimitStage, JsonBodyAndConfiguredStatus) {
  PipelineHarness h;
  config::RateLimit config = rate_config(1, std::chrono::minutes(1));
  config.format = config::RateLimitFormat::json;
  config.status = 503;
  const auto stage = make_rate_limit_stage(config, "stage_test_json");
  EXPECT_EQ(count_passing(*stage, h, kGetApi, 1), 1);
  RequestContext& ctx = h.request(kGetApi);
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  EXPECT_EQ(ctx.answer.status, 503);
  EXPECT_EQ(ctx.answer.content_type, "application/json");
  EXPECT_EQ(ctx.answer.body,
            "{\"error\":\"rate limited\",\"status\":503,\"limit\":\"stage_test_json\","
            "\"retry_after\":60}\n");
  EXPECT_EQ(ctx.answer.retry_after_seconds, 60);
}

TEST(RateLimitStage, ClientsAreApartButAnIpv6Slash64IsOne) {
  PipelineHarness h;
  const auto stage =
      make_rate_limit_stage(rate_config(3, std::chrono::minutes(1)), "stage_test_ip");
  EXPECT_EQ(count_passing(*stage, h, kGetApi, 5, "192.0.2.1"), 3);
  EXPECT_EQ(count_passing(*stage, h, kGetApi, 5, "192.0.2.2"), 3);
  EXPECT_EQ(count_passing(*stage, h, kGetApi, 2, "2001:db8:0:1::1"), 2);
  EXPECT_EQ(count_passing(*stage, h, kGetApi, 2, "2001:db8:0:1::2"), 1);
  EXPECT_EQ(count_passing(*stage, h, kGetApi, 5, "2001:db8:0:2::1"), 3);
}

TEST(RateLimitStage, HeaderAndApiKeys) {
  PipelineHarness h;
  config::RateLimit config = rate_config(2, std::chrono::minutes(1));
  config.key = {{config::RateLimitKeyKind::header, "x-tenant"}};
  const auto by_tenant = make_rate_limit_stage(config, "stage_test_header");
  EXPECT_EQ(count_passing(*by_tenant, h, "GET / HTTP/1.1\r\nHost: h\r\nX-Tenant: a\r\n\r\n", 4), 2);
  EXPECT_EQ(count_passing(*by_tenant, h, "GET / HTTP/1.1\r\nHost: h\r\nx-tenant: b\r\n\r\n", 4,
                          "10.0.0.9"),
            2);
  config.key = {{config::RateLimitKeyKind::api_key, ""}};
  const auto by_key = make_rate_limit_stage(config, "stage_test_api_key");
  EXPECT_EQ(
      count_passing(*by_key, h, "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer k1\r\n\r\n", 3),
      2);
  // The same key through X-Api-Key shares the budget.
  EXPECT_EQ(count_passing(*by_key, h, "GET / HTTP/1.1\r\nHost: h\r\nX-Api-Key: k1\r\n\r\n", 1), 0);
  EXPECT_EQ(count_passing(*by_key, h, "GET / HTTP/1.1\r\nHost: h\r\nX-Api-Key: k2\r\n\r\n", 3), 2);
}

TEST(RateLimitStage, DryRunRefusesNothingButMarksTheRequest) {
  PipelineHarness h;
  config::RateLimit config = rate_config(2, std::chrono::minutes(1));
  config.dry_run = true;
  const auto stage = make_rate_limit_stage(config, "stage_test_dry");
  for (int i = 0; i < 5; ++i) {
    RequestContext& ctx = h.request(kGetApi);
    EXPECT_EQ(stage->on_request(ctx), Verdict::kContinue);
    EXPECT_EQ(ctx.record.rate_limit, i < 2 ? "" : "stage_test_dry") << i;
  }
}

TEST(RateLimitStage, DelayModeWaitsWithinBurst) {
  PipelineHarness h;
  config::RateLimit config = rate_config(20, std::chrono::seconds(1));  // one per 50 ms
  config.burst = 1;
  config.mode = config::RateLimitMode::delay;
  const auto stage = make_rate_limit_stage(config, "stage_test_delay");
  EXPECT_EQ(count_passing(*stage, h, kGetApi, 20), 20);
  RequestContext& ctx = h.request(kGetApi);
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAsync);
  EXPECT_GT(ctx.scratch.delay_us, 0);
  EXPECT_LE(ctx.scratch.delay_us, 50'000);
  EXPECT_EQ(ctx.record.rate_limit, "stage_test_delay");
  const auto start = std::chrono::steady_clock::now();
  Verdict after = Verdict::kAnswer;
  h.run([&]() -> net::Awaitable<void> { after = co_await stage->on_request_async(ctx); }());
  EXPECT_EQ(after, Verdict::kContinue);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
  // Beyond the burst: refused at once (a slow rate, so nothing refills meanwhile).
  config = rate_config(1, std::chrono::minutes(1));
  config.burst = 1;
  config.mode = config::RateLimitMode::delay;
  const auto slow = make_rate_limit_stage(config, "stage_test_delay_slow");
  EXPECT_EQ(slow->on_request(h.request(kGetApi)), Verdict::kContinue);
  RequestContext& held = h.request(kGetApi);
  EXPECT_EQ(slow->on_request(held), Verdict::kAsync);
  EXPECT_GT(held.scratch.delay_us, 59'000'000);  // one minute, less the µs since the first
  EXPECT_LE(held.scratch.delay_us, 60'000'000);
  EXPECT_EQ(slow->on_request(h.request(kGetApi)), Verdict::kAnswer);
}

TEST(RateLimitStage, FirstOfTheRouteStagesAndSharedByName) {
  const config::Spec spec = load_spec(R"(
listen:
  - address: "127.0.0.1:0"
upstreams:
  app:
    servers: ["127.0.0.1:9001"]
rate_limits:
  shared: { per_client: 1/min }
routes:
  - match: { path: /a/ }
    upstream: app
    rate_limit: shared
  - match: { path: /b/ }
    upstream: app
    rate_limit: shared
  - match: { path: /c/ }
    upstream: app
    rate_limit: { per_client: 1/min }
)");
  std::vector<std::string> errors;
  const RouteTarget a = build_route(spec, spec.routes[0], errors);
  const RouteTarget b = build_route(spec, spec.routes[1], errors);
  const RouteTarget c = build_route(spec, spec.routes[2], errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(a.chain.request.size(), 2u);
  EXPECT_EQ(a.chain.request[0]->name(), "rate_limit");
  EXPECT_EQ(a.chain.request[1]->name(), "trace_guard");
  PipelineHarness h;
  EXPECT_EQ(count_passing(*a.chain.request[0], h, kGetApi, 1), 1);
  EXPECT_EQ(count_passing(*b.chain.request[0], h, kGetApi, 1), 0);  // one budget for /a/ and /b/
  EXPECT_EQ(count_passing(*c.chain.request[0], h, kGetApi, 1), 1);
  RequestContext& ctx = h.request(kGetApi);
  ASSERT_EQ(c.chain.request[0]->on_request(ctx), Verdict::kAnswer);
  EXPECT_EQ(ctx.record.rate_limit, "/c/");  // a route's own limit is named by its match
}

}  // namespace
}  // namespace flotilla::gateway
