// The listener's readiness path: 200 while some upstream of the worker's snapshot has an
// endpoint to send to, 503 while none has (no snapshot yet, no instances, all actively down).
#include <gtest/gtest.h>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {
namespace {

using testing::load_spec;
using testing::parse_response;
using testing::PipelineHarness;

// One upstream with a static server, one that follows a service.
constexpr std::string_view kReadyConfig = R"(
listen:
  - address: "127.0.0.1:0"
services:
  web:
    command: "sleep 100"
    ports: 8000-8009
upstreams:
  app:
    service: web
  fixed:
    servers: ["127.0.0.1:9001"]
routes:
  - match: { path: / }
    upstream: app
)";

// The same without the static upstream: only the service's instances can make it ready.
constexpr std::string_view kServiceOnly = R"(
listen:
  - address: "127.0.0.1:0"
services:
  web:
    command: "sleep 100"
    ports: 8000-8009
upstreams:
  app:
    service: web
routes:
  - match: { path: / }
    upstream: app
)";

Verdict ask(PipelineHarness& h, const RequestStage& stage, std::string_view path = "/ready") {
  RequestContext& ctx = h.request("GET " + std::string(path) + " HTTP/1.1\r\nHost: h\r\n\r\n");
  return stage.on_request(ctx);
}

TEST(ReadyStage, ReadyWhileAnEndpointIsAvailable) {
  PipelineHarness h;
  const auto stage = make_ready_stage("/ready");
  EXPECT_EQ(stage->name(), "ready");
  const config::Spec spec = load_spec(kReadyConfig);
  std::vector<std::string> errors;
  SnapshotBuilder builder(spec, errors);
  ASSERT_TRUE(errors.empty());
  h.worker().install(builder.build());

  ASSERT_EQ(ask(h, *stage), Verdict::kAnswer);
  EXPECT_EQ(h.ctx().answer.status, 200);
  EXPECT_EQ(h.ctx().answer.body, "ready\n");
  EXPECT_EQ(h.ctx().answer.content_type, "text/plain");

  // The static server actively down: no upstream has anywhere to send.
  h.worker().set_active_health("fixed", "127.0.0.1:9001", false);
  ASSERT_EQ(ask(h, *stage), Verdict::kAnswer);
  EXPECT_EQ(h.ctx().answer.status, 503);
  EXPECT_EQ(h.ctx().answer.body, "not ready\n");
  h.worker().set_active_health("fixed", "127.0.0.1:9001", true);
  ASSERT_EQ(ask(h, *stage), Verdict::kAnswer);
  EXPECT_EQ(h.ctx().answer.status, 200);
}

TEST(ReadyStage, NotReadyWithoutEndpoints) {
  PipelineHarness h;
  const auto stage = make_ready_stage("/ready");
  ASSERT_EQ(ask(h, *stage), Verdict::kAnswer);  // before the first snapshot
  EXPECT_EQ(h.ctx().answer.status, 503);

  const config::Spec spec = load_spec(kServiceOnly);
  std::vector<std::string> errors;
  SnapshotBuilder builder(spec, errors);
  ASSERT_TRUE(errors.empty());
  h.worker().install(builder.build());  // the service has no ready instance yet
  ASSERT_EQ(ask(h, *stage), Verdict::kAnswer);
  EXPECT_EQ(h.ctx().answer.status, 503);
  EXPECT_EQ(h.ctx().answer.body, "not ready\n");

  h.worker().install(builder.build({{"web", {{"web/0", "127.0.0.1:8000"}}}}));
  ASSERT_EQ(ask(h, *stage), Verdict::kAnswer);
  EXPECT_EQ(h.ctx().answer.status, 200);
}

TEST(ReadyStage, OtherPathsContinue) {
  PipelineHarness h;
  const auto stage = make_ready_stage("/ready");
  EXPECT_EQ(ask(h, *stage, "/"), Verdict::kContinue);
  EXPECT_EQ(ask(h, *stage, "/readyz"), Verdict::kContinue);
  EXPECT_EQ(ask(h, *stage, "/health"), Verdict::kContinue);
  EXPECT_EQ(ask(h, *stage, "/ready?x=1"), Verdict::kAnswer);
}

// 503 on the wire: the body says why, and the connection is kept (it is an answer, not an error
// of the connection).
TEST(ReadyStage, NotReadyOnTheWire) {
  PipelineHarness h;
  const auto stage = make_ready_stage("/ready");
  ASSERT_EQ(ask(h, *stage), Verdict::kAnswer);
  h.run(send_answer(h.ctx(), h.ctx().answer));
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.body, "not ready\n");
  EXPECT_EQ(response.count("Connection"), 0);
}

}  // namespace
}  // namespace flotilla::gateway
