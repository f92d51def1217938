// The listener's health path: answered 200 "healthy" by the gateway itself on the normalised
// path (query ignored), any method; every other path continues untouched.
#include <gtest/gtest.h>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

using testing::parse_response;
using testing::PipelineHarness;

TEST(HealthStage, AnswersItsPath) {
  PipelineHarness h;
  const auto stage = make_health_stage("/health");
  EXPECT_EQ(stage->name(), "health");
  for (const char* raw :
       {"GET /health HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /health?probe=lb HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /x/../health HTTP/1.1\r\nHost: h\r\n\r\n", "HEAD /health HTTP/1.1\r\nHost: h\r\n\r\n",
        "POST /health HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"}) {
    SCOPED_TRACE(raw);
    RequestContext& ctx = h.request(raw);
    ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
    EXPECT_EQ(ctx.answer.status, 200);
    EXPECT_EQ(ctx.answer.body, "healthy\n");
    EXPECT_EQ(ctx.answer.content_type, "text/plain");
    EXPECT_FALSE(ctx.answer.error);
    EXPECT_TRUE(ctx.answer.location.empty());
  }
}

TEST(HealthStage, OtherPathsContinue) {
  PipelineHarness h;
  const auto stage = make_health_stage("/health");
  for (const char* raw :
       {"GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /health/ HTTP/1.1\r\nHost: h\r\n\r\n", "GET /api/health HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /HEALTH HTTP/1.1\r\nHost: h\r\n\r\n"}) {
    SCOPED_TRACE(raw);
    RequestContext& ctx = h.request(raw);
    ctx.answer.status = 777;  // left as it was
    EXPECT_EQ(stage->on_request(ctx), Verdict::kContinue);
    EXPECT_EQ(ctx.answer.status, 777);
  }
}

// The answer as the client gets it, through the pipeline's send_answer and the HTTP/1 sink.
TEST(HealthStage, OnTheWire) {
  PipelineHarness h;
  const auto stage = make_health_stage("/health");
  RequestContext& ctx = h.request("GET /health HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  h.run(send_answer(ctx, ctx.answer));
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "healthy\n");
  EXPECT_TRUE(response.body_complete);
  EXPECT_EQ(response.field("Content-Type"), "text/plain");
  EXPECT_EQ(response.field("Content-Length"), "8");
  EXPECT_TRUE(response.rest.empty());
  EXPECT_TRUE(h.sink().keeps_connection());
}

}  // namespace
}  // namespace flotilla::gateway
