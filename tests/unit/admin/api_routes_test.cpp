#include "admin/api_routes.hpp"

#include <gtest/gtest.h>

#include "admin_test_support.hpp"

namespace flotilla::admin {
namespace {

using nlohmann::json;
using testing::run_sync;

// Records what the routes passed in and answers canned JSON.
class FakeOperations : public Operations {
 public:
  std::vector<json> calls;

  asio::awaitable<AdminResponse> status() override {
    calls.push_back({{"op", "status"}});
    co_return json_response(200, {{"version", "test"}});
  }
  asio::awaitable<AdminResponse> services() override {
    calls.push_back({{"op", "services"}});
    co_return json_response(200, {{"services", json::array()}});
  }
  asio::awaitable<AdminResponse> service(std::string name) override {
    calls.push_back({{"op", "service"}, {"service", name}});
    if (name != "web") co_return error_response(404, "service '" + name + "' not found");
    co_return json_response(200, {{"name", name}});
  }
  asio::awaitable<AdminResponse> instances() override {
    calls.push_back({{"op", "instances"}});
    co_return json_response(200, {{"instances", json::array()}});
  }
  asio::awaitable<AdminResponse> upstreams() override {
    calls.push_back({{"op", "upstreams"}});
    co_return json_response(200, {{"upstreams", json::array()}});
  }
  asio::awaitable<AdminResponse> scale(std::string service, std::uint32_t replicas) override {
    calls.push_back({{"op", "scale"}, {"service", service}, {"replicas", replicas}});
    co_return json_response(200, {{"service", service}, {"replicas", replicas}, {"previous", 3}});
  }
  asio::awaitable<AdminResponse> rollout(std::string service, RolloutChange change) override {
    json call{{"op", "rollout"}, {"service", service}, {"env", change.env}};
    if (change.command) call["argv"] = change.command->argv;
    if (change.command) call["text"] = change.command->text;
    if (change.replicas) call["replicas"] = *change.replicas;
    calls.push_back(call);
    co_return json_response(202, {{"service", service}, {"revision", 2}, {"state", "running"}});
  }
  asio::awaitable<AdminResponse> rollout_status(std::string service) override {
    calls.push_back({{"op", "rollout_status"}, {"service", service}});
    co_return json_response(200, {{"service", service}, {"state", "running"}});
  }
  asio::awaitable<AdminResponse> rollback(std::string service,
                                          std::optional<std::uint32_t> to) override {
    calls.push_back({{"op", "rollback"}, {"service", service}, {"to", to ? json(*to) : json()}});
    co_return json_response(202, {{"service", service}});
  }
  asio::awaitable<AdminResponse> revisions(std::string service) override {
    calls.push_back({{"op", "revisions"}, {"service", service}});
    co_return json_response(200, {{"service", service}});
  }
  asio::awaitable<AdminResponse> restart(std::string service) override {
    calls.push_back({{"op", "restart"}, {"service", service}});
    co_return json_response(202, {{"service", service}});
  }
  asio::awaitable<AdminResponse> drain(std::string service, std::uint32_t index) override {
    calls.push_back({{"op", "drain"}, {"service", service}, {"index", index}});
    co_return json_response(200, {{"instance", fmt::format("{}/{}", service, index)}});
  }
  asio::awaitable<AdminResponse> undrain(std::string service, std::uint32_t index) override {
    calls.push_back({{"op", "undrain"}, {"service", service}, {"index", index}});
    co_return json_response(200, {{"instance", fmt::format("{}/{}", service, index)}});
  }
  asio::awaitable<AdminResponse> stop_service(std::string service) override {
    calls.push_back({{"op", "stop"}, {"service", service}});
    co_return json_response(200, {{"service", service}});
  }
  asio::awaitable<AdminResponse> start_service(std::string service) override {
    calls.push_back({{"op", "start"}, {"service", service}});
    co_return json_response(200, {{"service", service}});
  }
  asio::awaitable<AdminResponse> reload() override {
    calls.push_back({{"op", "reload"}});
    co_return json_response(200, {{"changed", json::array()}});
  }
  asio::awaitable<AdminResponse> logs(std::string service, LogsQuery query) override {
    json call{{"op", "logs"}, {"service", service}};
    if (query.instance) call["instance"] = *query.instance;
    if (query.since) call["since"] = query.since->count();
    if (query.cursor) call["cursor"] = *query.cursor;
    if (query.limit) call["limit"] = *query.limit;
    calls.push_back(call);
    co_return json_response(200, {{"lines", json::array()}, {"cursor", "c1"}});
  }
};

class ApiRoutes : public ::testing::Test {
 protected:
  ApiRoutes() { add_api_routes(router_, operations_); }

  AdminResponse call(std::string method, std::string path, std::string body = "",
                     std::map<std::string, std::string> query = {}) {
    AdminRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    request.query = std::move(query);
    request.trusted = true;
    return run_sync(router_.dispatch(request));
  }
  static std::string error_of(const AdminResponse& response) {
    return json::parse(response.body)["error"];
  }

  FakeOperations operations_;
  Router router_;
};

TEST_F(ApiRoutes, StatusPassesThrough) {
  const AdminResponse response = call("GET", "/api/v1/status");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(json::parse(response.body)["version"], "test");
  ASSERT_EQ(operations_.calls.size(), 1u);
}

TEST_F(ApiRoutes, ReadResourcesPassThrough) {
  EXPECT_EQ(call("GET", "/api/v1/services").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/services/web").status, 200);
  const AdminResponse unknown = call("GET", "/api/v1/services/nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_of(unknown), "service 'nope' not found");
  EXPECT_EQ(call("GET", "/api/v1/instances").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/upstreams").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/services").status, 405);
  ASSERT_EQ(operations_.calls.size(), 5u);
  EXPECT_EQ(operations_.calls[0], (json{{"op", "services"}}));
  EXPECT_EQ(operations_.calls[1], (json{{"op", "service"}, {"service", "web"}}));
  EXPECT_EQ(operations_.calls[2], (json{{"op", "service"}, {"service", "nope"}}));
  EXPECT_EQ(operations_.calls[3], (json{{"op", "instances"}}));
  EXPECT_EQ(operations_.calls[4], (json{{"op", "upstreams"}}));
}

TEST_F(ApiRoutes, ScaleValidatesReplicas) {
  EXPECT_EQ(call("POST", "/api/v1/services/web/scale", R"({"replicas": 5})").status, 200);
  ASSERT_EQ(operations_.calls.size(), 1u);
  EXPECT_EQ(operations_.calls[0], (json{{"op", "scale"}, {"service", "web"}, {"replicas", 5}}));

  AdminResponse response = call("POST", "/api/v1/services/web/scale", R"({"replicas": -1})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_of(response), "replicas: expected a non-negative integer");
  EXPECT_EQ(call("POST", "/api/v1/services/web/scale", R"({"replicas": 2.5})").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/services/web/scale", R"({"replicas": "5"})").status, 400);
  response = call("POST", "/api/v1/services/web/scale", "{}");
  EXPECT_EQ(error_of(response), "missing field 'replicas'");
  response = call("POST", "/api/v1/services/web/scale", R"({"replica": 5})");
  EXPECT_EQ(error_of(response), "unknown field 'replica' (did you mean 'replicas'?)");
  response = call("POST", "/api/v1/services/web/scale", R"({"replicas": )");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(operations_.calls.size(), 1u);  // no invalid request reached the operations
}

TEST_F(ApiRoutes, RolloutAcceptsCommandStringOrList) {
  EXPECT_EQ(call("POST", "/api/v1/services/web/rollout",
                 R"({"command": "python3 app.py --port $PORT", "env": {"A": "1"}, "replicas": 4})")
                .status,
            202);
  ASSERT_EQ(operations_.calls.size(), 1u);
  EXPECT_EQ(operations_.calls[0]["argv"], (json{"python3", "app.py", "--port", "$PORT"}));
  EXPECT_EQ(operations_.calls[0]["text"], "python3 app.py --port $PORT");
  EXPECT_EQ(operations_.calls[0]["env"], (json{{"A", "1"}}));
  EXPECT_EQ(operations_.calls[0]["replicas"], 4);

  EXPECT_EQ(call("POST", "/api/v1/services/web/rollout", R"({"command": ["a b", "c"]})").status,
            202);
  EXPECT_EQ(operations_.calls[1]["argv"], (json{"a b", "c"}));
  EXPECT_EQ(call("POST", "/api/v1/services/web/rollout", "").status, 202);  // same revision again
  EXPECT_FALSE(operations_.calls[2].contains("argv"));
}

TEST_F(ApiRoutes, RolloutRejectsBadFields) {
  EXPECT_EQ(error_of(call("POST", "/api/v1/services/web/rollout", R"({"command": "a | b"})"))
                .rfind("command: ", 0),
            0u);
  EXPECT_EQ(error_of(call("POST", "/api/v1/services/web/rollout", R"({"command": []})")),
            "command: empty command");
  EXPECT_EQ(error_of(call("POST", "/api/v1/services/web/rollout", R"({"command": [1]})")),
            "command: a list must hold only strings");
  EXPECT_EQ(error_of(call("POST", "/api/v1/services/web/rollout", R"({"env": {"A": 1}})")),
            "env.A: expected a string");
  EXPECT_EQ(error_of(call("POST", "/api/v1/services/web/rollout", R"({"env": []})")),
            "env: expected an object of strings");
  EXPECT_EQ(error_of(call("POST", "/api/v1/services/web/rollout", R"({"env": {"A=B": "1"}})")),
            "env: invalid variable name 'A=B'");
  EXPECT_EQ(error_of(call("POST", "/api/v1/services/web/rollout", R"({"env": {"": "1"}})")),
            "env: invalid variable name ''");
  EXPECT_TRUE(operations_.calls.empty());
}

TEST_F(ApiRoutes, RollbackTakesAnOptionalRevision) {
  EXPECT_EQ(call("POST", "/api/v1/services/web/rollback", "").status, 202);
  EXPECT_EQ(call("POST", "/api/v1/services/web/rollback", R"({"to": 2})").status, 202);
  EXPECT_EQ(call("POST", "/api/v1/services/web/rollback", R"({"to": 0})").status, 400);
  ASSERT_EQ(operations_.calls.size(), 2u);
  EXPECT_TRUE(operations_.calls[0]["to"].is_null());
  EXPECT_EQ(operations_.calls[1]["to"], 2);
}

TEST_F(ApiRoutes, DrainParsesTheIndex) {
  EXPECT_EQ(call("POST", "/api/v1/instances/web/2/drain").status, 200);
  EXPECT_EQ(operations_.calls.at(0), (json{{"op", "drain"}, {"service", "web"}, {"index", 2}}));
  EXPECT_EQ(call("POST", "/api/v1/instances/web/two/drain").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/instances/web/-1/drain").status, 400);
  EXPECT_EQ(operations_.calls.size(), 1u);
}

TEST_F(ApiRoutes, UndrainStopAndStartReachTheirOperations) {
  EXPECT_EQ(call("POST", "/api/v1/instances/web/1/undrain").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/instances/web/x/undrain").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/services/web/stop").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/services/web/start").status, 200);
  ASSERT_EQ(operations_.calls.size(), 3u);
  EXPECT_EQ(operations_.calls.at(0), (json{{"op", "undrain"}, {"service", "web"}, {"index", 1}}));
  EXPECT_EQ(operations_.calls.at(1), (json{{"op", "stop"}, {"service", "web"}}));
  EXPECT_EQ(operations_.calls.at(2), (json{{"op", "start"}, {"service", "web"}}));
}

TEST_F(ApiRoutes, LogsParsesTheQuery) {
  EXPECT_EQ(call("GET", "/api/v1/services/web/logs", "",
                 {{"instance", "1"}, {"since", "600"}, {"cursor", "abc"}, {"limit", "50"}})
                .status,
            200);
  EXPECT_EQ(operations_.calls.at(0), (json{{"op", "logs"},
                                           {"service", "web"},
                                           {"instance", 1},
                                           {"since", 600},
                                           {"cursor", "abc"},
                                           {"limit", 50}}));
  const AdminResponse response = call("GET", "/api/v1/services/web/logs", "", {{"since", "10m"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_of(response), "since: expected a non-negative integer");
}

TEST_F(ApiRoutes, EveryContractRouteIsRegistered) {
  const std::vector<std::pair<std::string, std::string>> routes{
      {"GET", "/api/v1/status"},
      {"GET", "/api/v1/services"},
      {"GET", "/api/v1/services/web"},
      {"GET", "/api/v1/instances"},
      {"GET", "/api/v1/upstreams"},
      {"POST", "/api/v1/services/web/scale"},
      {"POST", "/api/v1/services/web/rollout"},
      {"GET", "/api/v1/services/web/rollout"},
      {"POST", "/api/v1/services/web/rollback"},
      {"GET", "/api/v1/services/web/revisions"},
      {"POST", "/api/v1/services/web/restart"},
      {"POST", "/api/v1/instances/web/0/drain"},
      {"POST", "/api/v1/reload"},
      {"GET", "/api/v1/services/web/logs"},
  };
  for (const auto& [method, path] : routes) {
    EXPECT_NE(router_.match(method, path).handler, nullptr) << method << ' ' << path;
  }
}

}  // namespace
}  // namespace flotilla::admin
