// serve_request's order of stages, on the wire: stages that decide at once run without a frame of
// the pipeline's own, and one that must wait (Verdict::kAsync) hands the rest of the request —
// the chain after it, routing, the route's chain, the terminal — to a coroutine. Either way the
// order and the answer are the same.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../pipeline_test_support.hpp"
#include "gateway/pipeline/serve_request.hpp"

namespace flotilla::gateway {
namespace {

using testing::parse_response;
using testing::PipelineHarness;

// A stage that notes each call in `log` and gives `now` (and, when that is kAsync, `later`
// after a real wait on the worker's executor). kAnswer answers with `status`.
class NotingStage final : public RequestStage {
 public:
  NotingStage(std::vector<std::string>& log, std::string name, Verdict now,
              Verdict later = Verdict::kContinue, int status = 0)
      : log_(log), name_(std::move(name)), now_(now), later_(later), status_(status) {}

  std::string_view name() const noexcept override { return name_; }
  Verdict on_request(RequestContext& ctx) const override {
    log_.push_back(name_);
    return answer(ctx, now_);
  }
  net::Awaitable<Verdict> on_request_async(RequestContext& ctx) const override {
    net::Timer wait(ctx.worker.context());
    wait.expires_after(std::chrono::milliseconds(1));
    co_await wait.async_wait(net::use_nothrow_io);
    log_.push_back(name_ + " (after waiting)");
    co_return answer(ctx, later_);
  }

 private:
  Verdict answer(RequestContext& ctx, Verdict verdict) const {
    if (verdict == Verdict::kAnswer) {
      ctx.answer = LocalAnswer{};
      ctx.answer.status = status_;
      ctx.answer.body = name_;
    }
    return verdict;
  }

  std::vector<std::string>& log_;
  std::string name_;
  Verdict now_;
  Verdict later_;
  int status_;
};

struct Chains {
  std::vector<std::shared_ptr<const RequestStage>> listener;
  std::vector<std::shared_ptr<const RequestStage>> route;
};

// One listener, one route for `path` with no terminal of its own (its last stage must answer).
GatewaySnapshot snapshot_with(Chains chains, std::string path = "/") {
  GatewaySnapshot snapshot;
  snapshot.listeners.emplace_back();
  snapshot.listeners[0].chain.request = std::move(chains.listener);
  snapshot.routes.emplace_back();
  snapshot.routes[0].proxy = false;
  snapshot.routes[0].chain.request = std::move(chains.route);
  snapshot.table = RouteTable({RouteKey{"", std::move(path)}});
  return snapshot;
}

std::string joined(const std::vector<std::string>& log) {
  std::string out;
  for (const std::string& entry : log) out += entry + "; ";
  return out;
}

TEST(ServeRequest, StagesThatDecideAtOnceRunInOrder) {
  std::vector<std::string> log;
  Chains chains;
  chains.listener.push_back(std::make_shared<NotingStage>(log, "a", Verdict::kContinue));
  chains.route.push_back(std::make_shared<NotingStage>(log, "b", Verdict::kContinue));
  chains.route.push_back(
      std::make_shared<NotingStage>(log, "c", Verdict::kAnswer, Verdict::kContinue, 202));
  chains.route.push_back(std::make_shared<NotingStage>(log, "never", Verdict::kContinue));
  PipelineHarness h;
  RequestContext& ctx =
      h.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n", h.install(snapshot_with(std::move(chains))));
  h.run(serve_request(ctx));
  EXPECT_EQ(joined(log), "a; b; c; ");
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.body, "c");
}

// A listener stage that waits and then continues: the rest of its chain, routing and the
// route's chain still run, in order.
TEST(ServeRequest, ListenerStageThatWaitsThenContinues) {
  std::vector<std::string> log;
  Chains chains;
  chains.listener.push_back(std::make_shared<NotingStage>(log, "a", Verdict::kAsync));
  chains.listener.push_back(std::make_shared<NotingStage>(log, "b", Verdict::kContinue));
  chains.route.push_back(
      std::make_shared<NotingStage>(log, "c", Verdict::kAsync, Verdict::kAnswer, 429));
  PipelineHarness h;
  RequestContext& ctx =
      h.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n", h.install(snapshot_with(std::move(chains))));
  h.run(serve_request(ctx));
  EXPECT_EQ(joined(log), "a; a (after waiting); b; c; c (after waiting); ");
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.body, "c");
}

// A route stage that waits and answers: the stages after it never run.
TEST(ServeRequest, RouteStageThatWaitsAndAnswers) {
  std::vector<std::string> log;
  Chains chains;
  chains.route.push_back(std::make_shared<NotingStage>(log, "a", Verdict::kContinue));
  chains.route.push_back(
      std::make_shared<NotingStage>(log, "b", Verdict::kAsync, Verdict::kAnswer, 503));
  chains.route.push_back(std::make_shared<NotingStage>(log, "never", Verdict::kContinue));
  PipelineHarness h;
  RequestContext& ctx =
      h.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n", h.install(snapshot_with(std::move(chains))));
  h.run(serve_request(ctx));
  EXPECT_EQ(joined(log), "a; b; b (after waiting); ");
  const auto response = parse_response(h.written());
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.status, 503);
}

// After a listener stage that waited, a request no route matches is answered 404; a listener
// stage that answers at once ends the request before routing.
TEST(ServeRequest, NoRouteAfterWaitingAndAnswersBeforeRouting) {
  {
    std::vector<std::string> log;
    Chains chains;
    chains.listener.push_back(std::make_shared<NotingStage>(log, "a", Verdict::kAsync));
    PipelineHarness h;
    RequestContext& ctx = h.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n",
                                    h.install(snapshot_with(std::move(chains), "/only")));
    h.run(serve_request(ctx));
    EXPECT_EQ(joined(log), "a; a (after waiting); ");
    const auto response = parse_response(h.written());
    ASSERT_TRUE(response.complete);
    EXPECT_EQ(response.status, 404);
  }
  {
    std::vector<std::string> log;
    Chains chains;
    chains.listener.push_back(
        std::make_shared<NotingStage>(log, "a", Verdict::kAnswer, Verdict::kContinue, 200));
    chains.route.push_back(std::make_shared<NotingStage>(log, "never", Verdict::kContinue));
    PipelineHarness h;
    RequestContext& ctx = h.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n",
                                    h.install(snapshot_with(std::move(chains))));
    h.run(serve_request(ctx));
    EXPECT_EQ(joined(log), "a; ");
    const auto response = parse_response(h.written());
    ASSERT_TRUE(response.complete);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "a");
  }
}

}  // namespace
}  // namespace flotilla::gateway
