// Strict-Transport-Security: max-age in seconds, includeSubDomains and preload as configured,
// replacing any the upstream sent, on every response of TLS listeners only.
#include <gtest/gtest.h>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

using namespace std::chrono_literals;
using testing::parse_response;
using testing::PipelineHarness;

std::string hsts_lines(const config::Hsts& hsts, int status = 200) {
  PipelineHarness h;
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  HeaderEdits edits;
  make_hsts_stage(hsts)->on_response_head(ctx, status, edits);
  return std::string(edits.lines());
}

TEST(HstsStage, Values) {
  EXPECT_EQ(make_hsts_stage(config::Hsts{})->name(), "hsts");
  EXPECT_EQ(hsts_lines(config::Hsts{}), "Strict-Transport-Security: max-age=31536000\r\n");
  EXPECT_EQ(hsts_lines(config::Hsts{.max_age = 3600s, .include_subdomains = true}),
            "Strict-Transport-Security: max-age=3600; includeSubDomains\r\n");
  EXPECT_EQ(
      hsts_lines(config::Hsts{.max_age = 63072000s, .include_subdomains = true, .preload = true}),
      "Strict-Transport-Security: max-age=63072000; includeSubDomains; preload\r\n");
  EXPECT_EQ(hsts_lines(config::Hsts{.max_age = 0s}), "Strict-Transport-Security: max-age=0\r\n");
  EXPECT_EQ(hsts_lines(config::Hsts{.max_age = 1500ms}),
            "Strict-Transport-Security: max-age=1\r\n");
  // Every status, local answers and errors included.
  EXPECT_EQ(hsts_lines(config::Hsts{.max_age = 60s}, 502),
            "Strict-Transport-Security: max-age=60\r\n");
}

// The listener's policy is the site's: one the upstream sent (or an earlier stage added) goes.
TEST(HstsStage, ReplacesAnyOther) {
  PipelineHarness h;
  RequestContext& ctx = h.request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  HeaderEdits edits;
  edits.add("Strict-Transport-Security", "max-age=5");
  make_hsts_stage(config::Hsts{.max_age = 60s})->on_response_head(ctx, 200, edits);
  EXPECT_EQ(edits.lines(), "Strict-Transport-Security: max-age=60\r\n");
  ASSERT_EQ(edits.drop_names().size(), 1u);  // the received field is dropped by name
  EXPECT_EQ(edits.drop_names()[0], "Strict-Transport-Security");
}

TEST(HstsStage, OnlyOnTlsListeners) {
  config::Listener plain;
  plain.hsts = config::Hsts{.max_age = 60s};
  EXPECT_TRUE(build_listener(plain, 0, nullptr).chain.response_head.empty());

  config::Listener secure = plain;
  secure.tls = config::Tls{};
  const ListenerTarget target = build_listener(secure, 0, nullptr);
  ASSERT_EQ(target.chain.response_head.size(), 1u);
  EXPECT_EQ(target.chain.response_head[0]->name(), "hsts");

  config::Listener without = secure;
  without.hsts.reset();
  EXPECT_TRUE(build_listener(without, 0, nullptr).chain.response_head.empty());
}

// Through the pipeline: a local answer of a listener with HSTS carries it.
TEST(HstsStage, OnAnAnswerOnTheWire) {
  GatewaySnapshot snapshot;
  snapshot.listeners.emplace_back();
  snapshot.listeners[0].chain.response_head.push_back(
      make_hsts_stage(config::Hsts{.max_age = 60s, .include_subdomains = true}));
  PipelineHarness h;
  RequestContext& ctx =
      h.request("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n", h.install(std::move(snapshot)));
  h.run(serve_request(ctx));  // no route: 404
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.field("Strict-Transport-Security"), "max-age=60; includeSubDomains");
  EXPECT_EQ(response.count("Strict-Transport-Security"), 1);
}

}  // namespace
}  // namespace flotilla::gateway
