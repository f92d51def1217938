#include "admin/router.hpp"

#include <gtest/gtest.h>

#include "admin_test_support.hpp"

namespace flotilla::admin {
namespace {

using testing::run_sync;

Handler answer(std::string text) {
  return [text](const AdminRequest& request) -> asio::awaitable<AdminResponse> {
    nlohmann::json body{{"handler", text}, {"params", request.params}};
    co_return json_response(200, body);
  };
}

AdminResponse dispatch(const Router& router, std::string method, std::string path) {
  AdminRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return run_sync(router.dispatch(request));
}

nlohmann::json body_of(const AdminResponse& response) {
  return nlohmann::json::parse(response.body);
}

TEST(Router, MatchesLiteralPaths) {
  Router router;
  router.add("GET", "/api/v1/status", answer("status"));
  const Router::Match match = router.match("GET", "/api/v1/status");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_TRUE(match.params.empty());
  EXPECT_EQ(router.match("GET", "/api/v1/statu").handler, nullptr);
  EXPECT_EQ(router.match("GET", "/api/v1/status/extra").handler, nullptr);
  EXPECT_EQ(router.match("GET", "/api/v1").handler, nullptr);
}

TEST(Router, CapturesAndDecodesParameters) {
  Router router;
  router.add("POST", "/api/v1/instances/{service}/{index}/drain", answer("drain"));
  const Router::Match match = router.match("POST", "/api/v1/instances/my%2Dweb/2/drain");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.params.at("service"), "my-web");
  EXPECT_EQ(match.params.at("index"), "2");
}

TEST(Router, LiteralSegmentBeatsParameterWhateverTheOrder) {
  Router router;
  router.add("GET", "/api/v1/services/{name}", answer("by-name"));
  router.add("GET", "/api/v1/services/summary", answer("summary"));
  EXPECT_EQ(body_of(dispatch(router, "GET", "/api/v1/services/summary"))["handler"], "summary");
  EXPECT_EQ(body_of(dispatch(router, "GET", "/api/v1/services/web"))["handler"], "by-name");
}

TEST(Router, DispatchFillsRequestParams) {
  Router router;
  router.add("POST", "/api/v1/services/{name}/scale", answer("scale"));
  const AdminResponse response = dispatch(router, "POST", "/api/v1/services/web/scale");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(body_of(response)["params"]["name"], "web");
}

TEST(Router, UnknownPathIs404Json) {
  Router router;
  router.add("GET", "/health", answer("health"));
  const AdminResponse response = dispatch(router, "GET", "/nope");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(body_of(response)["error"], "no such resource: /nope");
}

TEST(Router, EmptySegmentsAndTrailingSlashDoNotMatch) {
  Router router;
  router.add("GET", "/api/v1/services/{name}/rollout", answer("rollout"));
  EXPECT_EQ(router.match("GET", "/api/v1/services//rollout").handler, nullptr);
  EXPECT_EQ(router.match("GET", "/api/v1/services/web/rollout/").handler, nullptr);
  EXPECT_EQ(router.match("GET", "api/v1/services/web/rollout").handler, nullptr);
}

TEST(Router, WrongMethodIs405WithAllow) {
  Router router;
  router.add("GET", "/api/v1/services/{name}/rollout", answer("status"));
  router.add("POST", "/api/v1/services/{name}/rollout", answer("start"));
  router.add("POST", "/api/v1/reload", answer("reload"));
  AdminResponse response = dispatch(router, "DELETE", "/api/v1/services/web/rollout");
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "GET, HEAD, POST");
  response = dispatch(router, "GET", "/api/v1/reload");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers[0].second, "POST");
  EXPECT_NE(body_of(response)["error"].get<std::string>().find("GET"), std::string::npos);
}

TEST(Router, HeadIsAnsweredByGet) {
  Router router;
  router.add("GET", "/health", answer("health"));
  EXPECT_NE(router.match("HEAD", "/health").handler, nullptr);
  EXPECT_EQ(router.match("POST", "/health").allow, "GET, HEAD");
}

TEST(Router, RejectsMalformedAndDuplicatePatterns) {
  Router router;
  EXPECT_THROW(router.add("GET", "no-slash", answer("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a//b", answer("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{}", answer("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a/{name", answer("x")), std::invalid_argument);
  router.add("GET", "/a/{name}", answer("x"));
  EXPECT_THROW(router.add("GET", "/a/{name}", answer("y")), std::invalid_argument);
  EXPECT_NO_THROW(router.add("POST", "/a/{name}", answer("y")));
}

}  // namespace
}  // namespace flotilla::admin
