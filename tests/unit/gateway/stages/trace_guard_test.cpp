// TRACE answered 405 with Allow (cross-site tracing), every other method continues; routes
// with `allow_trace: true` get no guard at all.
#include <gtest/gtest.h>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

using testing::load_spec;
using testing::parse_response;
using testing::PipelineHarness;

TEST(TraceGuardStage, TraceIs405WithAllow) {
  PipelineHarness h;
  const auto stage = make_trace_guard_stage();
  EXPECT_EQ(stage->name(), "trace_guard");
  RequestContext& ctx = h.request("TRACE /a HTTP/1.1\r\nHost: h\r\nCookie: secret=1\r\n\r\n");
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  EXPECT_EQ(ctx.answer.status, 405);
  EXPECT_TRUE(ctx.answer.error);
  EXPECT_EQ(ctx.answer.extra_lines, "Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH\r\n");
}

TEST(TraceGuardStage, OtherMethodsContinue) {
  PipelineHarness h;
  const auto stage = make_trace_guard_stage();
  for (const char* raw :
       {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n",
        "PROPFIND /x HTTP/1.1\r\nHost: h\r\n\r\n", "TRACEX / HTTP/1.1\r\nHost: h\r\n\r\n"}) {
    SCOPED_TRACE(raw);
    RequestContext& ctx = h.request(raw);
    EXPECT_EQ(stage->on_request(ctx), Verdict::kContinue);
    EXPECT_EQ(ctx.answer.status, 0);
  }
}

// On the wire: 405, Allow, an error body; nothing of the request (its cookie) echoed.
TEST(TraceGuardStage, OnTheWire) {
  PipelineHarness h;
  const auto stage = make_trace_guard_stage();
  RequestContext& ctx = h.request("TRACE /a HTTP/1.1\r\nHost: h\r\nCookie: secret=1\r\n\r\n");
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  h.run(send_answer(ctx, ctx.answer));
  const std::string raw = h.written();
  const auto response = parse_response(raw);
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.field("Allow"), "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH");
  EXPECT_EQ(response.body, "Method Not Allowed\n");
  EXPECT_EQ(raw.find("secret"), std::string::npos);
}

TEST(TraceGuardStage, OnlyOnRoutesThatDoNotAllowTrace) {
  const config::Spec spec = load_spec(R"(
listen:
  - address: "127.0.0.1:0"
upstreams:
  app:
    servers: ["127.0.0.1:9001"]
routes:
  - match: { path: /guarded/ }
    upstream: app
  - match: { path: /open/ }
    upstream: app
    allow_trace: true
)");
  std::vector<std::string> errors;
  const RouteTarget guarded = build_route(spec, spec.routes[0], errors);
  const RouteTarget open = build_route(spec, spec.routes[1], errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(guarded.chain.request.size(), 1u);
  EXPECT_EQ(guarded.chain.request[0]->name(), "trace_guard");
  EXPECT_TRUE(open.chain.request.empty());
}

}  // namespace
}  // namespace flotilla::gateway
