// A route's `redirect: { to, status }`: the target expanded per request ($scheme, $host,
// $request_uri; absolute-form targets in origin-form), the configured status, no body.
#include <gtest/gtest.h>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

using testing::parse_response;
using testing::PipelineHarness;
using testing::value_template;

std::shared_ptr<const RequestStage> redirect(std::string_view to, int status = 301) {
  config::RedirectAction action;
  action.to = value_template(to);
  action.status = status;
  return make_redirect_stage(action);
}

TEST(RedirectStage, ExpandsTheTarget) {
  PipelineHarness h;
  const auto stage = redirect("https://$host$request_uri");
  EXPECT_EQ(stage->name(), "redirect");
  RequestContext& ctx = h.request("GET /a/b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  EXPECT_EQ(ctx.answer.status, 301);
  EXPECT_EQ(ctx.answer.location, "https://example.com/a/b?x=1");
  EXPECT_TRUE(ctx.answer.body.empty());
  EXPECT_TRUE(ctx.answer.content_type.empty());
  EXPECT_FALSE(ctx.answer.error);
}

TEST(RedirectStage, SchemeHostAndRequestUri) {
  PipelineHarness h;
  const auto stage = redirect("$scheme://$host/new$request_uri", 302);
  RequestContext& ctx = h.request("GET /old?q=%20 HTTP/1.1\r\nHost: h.test\r\n\r\n");
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  EXPECT_EQ(ctx.answer.status, 302);
  EXPECT_EQ(ctx.answer.location, "http://h.test/new/old?q=%20");
}

// RFC 9112 §3.2.2: the target's authority wins over Host; $request_uri is origin-form.
TEST(RedirectStage, AbsoluteFormTargets) {
  PipelineHarness h;
  const auto stage = redirect("https://$host$request_uri", 308);
  RequestContext& ctx = h.request(
      "POST http://origin.test:81/p/q?r=1 HTTP/1.1\r\nHost: other.test\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  EXPECT_EQ(ctx.answer.status, 308);
  EXPECT_EQ(ctx.answer.location, "https://origin.test/p/q?r=1");
  RequestContext& bare = h.request("GET http://origin.test HTTP/1.1\r\nHost: origin.test\r\n\r\n");
  ASSERT_EQ(stage->on_request(bare), Verdict::kAnswer);
  EXPECT_EQ(bare.answer.location, "https://origin.test/");
}

TEST(RedirectStage, ConstantTargetAndEveryConfiguredStatus) {
  PipelineHarness h;
  for (const int status : {301, 302, 303, 307, 308}) {
    const auto stage = redirect("https://elsewhere.test/", status);
    RequestContext& ctx = h.request("GET /anything HTTP/1.1\r\nHost: h\r\n\r\n");
    ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
    EXPECT_EQ(ctx.answer.status, status);
    EXPECT_EQ(ctx.answer.location, "https://elsewhere.test/");
  }
}

// On the wire: Location, an empty body with Content-Length: 0, no Content-Type; a HEAD gets
// the same head.
TEST(RedirectStage, OnTheWire) {
  PipelineHarness h;
  const auto stage = redirect("https://$host$request_uri");
  RequestContext& ctx = h.request("GET /a?b HTTP/1.1\r\nHost: h.test\r\n\r\n");
  ASSERT_EQ(stage->on_request(ctx), Verdict::kAnswer);
  h.run(send_answer(ctx, ctx.answer));
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 301);
  EXPECT_EQ(response.field("Location"), "https://h.test/a?b");
  EXPECT_EQ(response.field("Content-Length"), "0");
  EXPECT_EQ(response.count("Content-Type"), 0);
  EXPECT_TRUE(response.body.empty());
  EXPECT_TRUE(response.rest.empty());
}

}  // namespace
}  // namespace flotilla::gateway
