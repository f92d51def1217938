#include "admin/server.hpp"

#include <sys/stat.h>

#include <atomic>
#include <fstream>

#include <gtest/gtest.h>
#include <asio/local/stream_protocol.hpp>

#include "admin_test_support.hpp"

namespace flotilla::admin {
namespace {

using testing::RawConnection;
using testing::RawResponse;
using testing::ServerThread;
using testing::TempDir;

ServerOptions tcp_options(std::optional<std::string> token = std::nullopt) {
  ServerOptions options;
  options.listen = config::Address{config::Address::Kind::tcp, "127.0.0.1", 0, ""};
  options.token = std::move(token);
  return options;
}

// Routes used by most tests: an echo of what the handler saw, and a counter of calls.
struct Probe {
  std::atomic<int> calls{0};

  void install(Server& server) {
    server.router().add("POST", "/api/v1/echo",
                        [this](const AdminRequest& request) -> asio::awaitable<AdminResponse> {
                          ++calls;
                          JsonBody body = parse_json_body(request);
                          if (!body.ok()) co_return *body.error;
                          nlohmann::json answer{{"trusted", request.trusted},
                                                {"body", body.value},
                                                {"query", request.query}};
                          co_return json_response(200, answer);
                        });
    server.router().add(
        "GET", "/api/v1/echo",
        [this](const AdminRequest& request) -> asio::awaitable<AdminResponse> {
          ++calls;
          nlohmann::json answer{{"trusted", request.trusted}, {"query", request.query}};
          co_return json_response(200, answer);
        });
  }
};

std::string post(std::string_view path, std::string_view body, std::string_view extra = "") {
  return fmt::format("POST {} HTTP/1.1\r\nHost: x\r\n{}Content-Length: {}\r\n\r\n{}", path, extra,
                     body.size(), body);
}

TEST(AdminServer, ServesHealthOverTcp) {
  ServerThread server(tcp_options());
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  const RawResponse response = c.read_response();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(response.body), (nlohmann::json{{"status", "healthy"}}));
}

TEST(AdminServer, ReadyFollowsTheCallback) {
  std::atomic<bool> ready{false};
  ServerThread server(tcp_options(),
                      [&](Server& s) { s.set_ready_check([&] { return ready.load(); }); });
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 503);
  ready = true;
  c.send("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 200);
}

TEST(AdminServer, KeepsConnectionsAliveAndServesPipelinedRequests) {
  Probe probe;
  ServerThread server(tcp_options(), [&](Server& s) { probe.install(s); });
  RawConnection c = RawConnection::tcp(server.port());
  for (int i = 0; i < 3; ++i) {
    c.send(fmt::format("GET /api/v1/echo?n={} HTTP/1.1\r\nHost: x\r\n\r\n", i));
    const RawResponse response = c.read_response();
    EXPECT_EQ(response.status, 200);
    EXPECT_TRUE(response.keep_alive);
    EXPECT_EQ(nlohmann::json::parse(response.body)["query"]["n"], std::to_string(i));
  }
  c.send(
      "GET /api/v1/echo?n=a HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/echo?n=b HTTP/1.1\r\nHost: "
      "x\r\n\r\n");
  EXPECT_EQ(nlohmann::json::parse(c.read_response().body)["query"]["n"], "a");
  EXPECT_EQ(nlohmann::json::parse(c.read_response().body)["query"]["n"], "b");
  EXPECT_EQ(probe.calls, 5);
  EXPECT_EQ(server.on_io([&] { return server.server().connection_count(); }), 1u);
}

TEST(AdminServer, DecodesQueryParameters) {
  Probe probe;
  ServerThread server(tcp_options(), [&](Server& s) { probe.install(s); });
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /api/v1/echo?cursor=a%2Bb%3D&since=10&since=20&flag HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto query = nlohmann::json::parse(c.read_response().body)["query"];
  EXPECT_EQ(query["cursor"], "a+b=");
  EXPECT_EQ(query["since"], "10");  // the first of repeated names wins
  EXPECT_EQ(query["flag"], "");
}

TEST(AdminServer, ConnectionCloseIsHonoured) {
  ServerThread server(tcp_options());
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const RawResponse response = c.read_response();
  EXPECT_EQ(response.status, 200);
  EXPECT_FALSE(response.keep_alive);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(AdminServer, UnauthenticatedChangeGets401BeforeTheBodyIsRead) {
  Probe probe;
  ServerThread server(tcp_options("s3cret"), [&](Server& s) { probe.install(s); });
  RawConnection c = RawConnection::tcp(server.port());
  // A promised body of 10 GB that never comes: the answer must not wait for it.
  c.send("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n");
  const RawResponse response = c.read_response();
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.headers.at("www-authenticate").rfind("Bearer", 0), 0u);
  EXPECT_FALSE(response.keep_alive);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"],
            "authentication required: Authorization: Bearer <token>");
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(probe.calls, 0);
}

TEST(AdminServer, AuthIsCheckedBeforeRouting) {
  ServerThread server(tcp_options("s3cret"));
  RawConnection c = RawConnection::tcp(server.port());
  c.send(post("/no/such/route", "{}"));
  EXPECT_EQ(c.read_response().status, 401);  // not 404: nothing is revealed without a token
}

TEST(AdminServer, WrongTokenGets401AndRightTokenIsTrusted) {
  Probe probe;
  ServerThread server(tcp_options("s3cret"), [&](Server& s) { probe.install(s); });
  {
    RawConnection c = RawConnection::tcp(server.port());
    c.send(post("/api/v1/echo", "{}", "Authorization: Bearer nope\r\n"));
    const RawResponse response = c.read_response();
    EXPECT_EQ(response.status, 401);
    EXPECT_EQ(nlohmann::json::parse(response.body)["error"], "invalid bearer token");
  }
  RawConnection c = RawConnection::tcp(server.port());
  c.send(post("/api/v1/echo", R"({"a":1})", "Authorization: Bearer s3cret\r\n"));
  const RawResponse response = c.read_response();
  ASSERT_EQ(response.status, 200);
  const auto answer = nlohmann::json::parse(response.body);
  EXPECT_EQ(answer["trusted"], true);
  EXPECT_EQ(answer["body"]["a"], 1);
  EXPECT_EQ(probe.calls, 1);
}

TEST(AdminServer, ReadsOverTcpAreOpenButNotTrusted) {
  Probe probe;
  ServerThread server(tcp_options("s3cret"), [&](Server& s) { probe.install(s); });
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /api/v1/echo HTTP/1.1\r\nHost: x\r\n\r\n");
  const RawResponse response = c.read_response();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["trusted"], false);
}

TEST(AdminServer, NoTokenConfiguredRefusesEveryTcpChange) {
  Probe probe;
  ServerThread server(tcp_options(), [&](Server& s) { probe.install(s); });
  RawConnection c = RawConnection::tcp(server.port());
  c.send(post("/api/v1/echo", "{}", "Authorization: Bearer \r\n"));
  EXPECT_EQ(c.read_response().status, 401);
  EXPECT_EQ(probe.calls, 0);
}

TEST(AdminServer, UnknownPathIs404AndWrongMethodIs405) {
  ServerThread server(tcp_options("t"));
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse response = c.read_response();
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"], "no such resource: /nope");
  c.send(post("/health", "", "Authorization: Bearer t\r\n"));
  response = c.read_response();
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.at("allow"), "GET, HEAD");
  EXPECT_TRUE(response.keep_alive);
}

TEST(AdminServer, HeadGetsHeadersWithoutBody) {
  ServerThread server(tcp_options());
  RawConnection c = RawConnection::tcp(server.port());
  c.send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
  const RawResponse response = c.read_response(http::Method::kHead);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(response.headers.at("content-length"),
            std::to_string(std::string(R"({"status":"healthy"})").size() + 1));
  c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");  // still in sync after the bodiless answer
  EXPECT_EQ(c.read_response().status, 200);
}

TEST(AdminServer, OversizedBodyIs413) {
  ServerOptions options = tcp_options("t");
  options.max_body = 1024;
  Probe probe;
  ServerThread server(std::move(options), [&](Server& s) { probe.install(s); });
  {
    RawConnection c = RawConnection::tcp(server.port());
    c.send(
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Length: "
        "1025\r\n\r\n");
    const RawResponse response = c.read_response();
    EXPECT_EQ(response.status, 413);
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    // Chunked: the limit applies to the decoded bytes as they arrive.
    RawConnection c = RawConnection::tcp(server.port());
    const std::string chunk(600, 'x');
    c.send(
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nTransfer-Encoding: "
        "chunked\r\n\r\n258\r\n" +
        chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
    EXPECT_EQ(c.read_response().status, 413);
  }
  {
    // At the limit is fine (and chunked bodies are decoded).
    RawConnection c = RawConnection::tcp(server.port());
    c.send(
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nTransfer-Encoding: "
        "chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n");
    const RawResponse response = c.read_response();
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(nlohmann::json::parse(response.body)["body"]["a"], 1);
  }
  EXPECT_EQ(probe.calls, 1);
}

TEST(AdminServer, MalformedJsonIs400AndConnectionStaysUsable) {
  Probe probe;
  ServerThread server(tcp_options("t"), [&](Server& s) { probe.install(s); });
  RawConnection c = RawConnection::tcp(server.port());
  c.send(post("/api/v1/echo", "{not json", "Authorization: Bearer t\r\n"));
  const RawResponse response = c.read_response();
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(nlohmann::json::parse(response.body)["error"].get<std::string>().find("not valid JSON"),
            std::string::npos);
  c.send(post("/api/v1/echo", "{}", "Authorization: Bearer t\r\n"));
  EXPECT_EQ(c.read_response().status, 200);
}

TEST(AdminServer, MalformedRequestIs400AndCloses) {
  ServerThread server(tcp_options());
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /health HTTP/1.1\nHost: x\n\n");  // bare LF
  EXPECT_EQ(c.read_response().status, 400);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(AdminServer, AnswersExpectContinueBeforeTheBody) {
  Probe probe;
  ServerThread server(tcp_options("t"), [&](Server& s) { probe.install(s); });
  RawConnection c = RawConnection::tcp(server.port());
  c.send(
      "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nExpect: "
      "100-continue\r\nContent-Length: 7\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 100);
  c.send(R"({"a":2})");
  const RawResponse response = c.read_response();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["body"]["a"], 2);
}

TEST(AdminServer, IncompleteHeadTimesOut) {
  ServerOptions options = tcp_options();
  options.header_timeout = std::chrono::milliseconds(100);
  ServerThread server(std::move(options));
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /health HTTP/1.1\r\nHost:");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(AdminServer, ServesManyConcurrentConnections) {
  ServerThread server(tcp_options());
  std::vector<RawConnection> connections;
  for (int i = 0; i < 50; ++i) connections.push_back(RawConnection::tcp(server.port()));
  for (auto& c : connections) c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  for (auto& c : connections) EXPECT_EQ(c.read_response().status, 200);
  EXPECT_EQ(server.on_io([&] { return server.server().connection_count(); }), 50u);
}

TEST(AdminServer, StopClosesIdleConnections) {
  ServerThread server(tcp_options());
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 200);
  server.stop();
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(AdminServer, HandlerExceptionIs500) {
  ServerThread server(tcp_options(), [](Server& s) {
    s.router().add("GET", "/boom", [](const AdminRequest&) -> asio::awaitable<AdminResponse> {
      throw std::runtime_error("kaput");
      co_return AdminResponse{};
    });
  });
  RawConnection c = RawConnection::tcp(server.port());
  c.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
  const RawResponse response = c.read_response();
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"], "internal error: kaput");
}

// ---------------------------------------------------------------- unix socket

ServerOptions unix_options(const std::filesystem::path& socket) {
  ServerOptions options;
  options.socket = socket;
  return options;
}

TEST(AdminServerUnix, SocketIsMode0600AndTrusted) {
  TempDir dir;
  const auto path = dir.path() / "flotilla.sock";
  Probe probe;
  ServerThread server(unix_options(path), [&](Server& s) { probe.install(s); });
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  RawConnection c = RawConnection::unix_socket(path.string());
  c.send(post("/api/v1/echo", R"({"x":true})"));  // no token needed
  const RawResponse response = c.read_response();
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["trusted"], true);
}

TEST(AdminServerUnix, SocketFileIsRemovedOnStop) {
  TempDir dir;
  const auto path = dir.path() / "flotilla.sock";
  {
    ServerThread server(unix_options(path));
    EXPECT_TRUE(std::filesystem::exists(path));
    server.stop();
    EXPECT_FALSE(std::filesystem::exists(path));
  }
}

TEST(AdminServerUnix, StaleSocketIsReplaced) {
  TempDir dir;
  const auto path = dir.path() / "flotilla.sock";
  {
    // A socket file left by a process that died: bound, then closed without unlink.
    asio::io_context io;
    asio::local::stream_protocol::acceptor stale(
        io, asio::local::stream_protocol::endpoint(path.string()));
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  ServerThread server(unix_options(path));
  RawConnection c = RawConnection::unix_socket(path.string());
  c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 200);
}

TEST(AdminServerUnix, LiveSocketOrOtherFileIsAnError) {
  TempDir dir;
  const auto path = dir.path() / "flotilla.sock";
  ServerThread first(unix_options(path));
  asio::io_context io;
  {
    Server second(io, unix_options(path));
    std::string error;
    EXPECT_FALSE(second.listen(error));
    EXPECT_NE(error.find("another process is serving on it"), std::string::npos) << error;
  }
  EXPECT_TRUE(std::filesystem::exists(path));  // the failed server did not remove it
  const auto regular = dir.path() / "file";
  std::ofstream(regular) << "x";
  Server third(io, unix_options(regular));
  std::string error;
  EXPECT_FALSE(third.listen(error));
  EXPECT_NE(error.find("not a socket"), std::string::npos) << error;
  EXPECT_TRUE(std::filesystem::exists(regular));
}

TEST(AdminServerUnix, ServesTcpAndUnixTogether) {
  TempDir dir;
  ServerOptions options = tcp_options();
  options.socket = dir.path() / "flotilla.sock";
  ServerThread server(std::move(options));
  RawConnection tcp = RawConnection::tcp(server.port());
  RawConnection local = RawConnection::unix_socket((dir.path() / "flotilla.sock").string());
  tcp.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  local.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(tcp.read_response().status, 200);
  EXPECT_EQ(local.read_response().status, 200);
}

}  // namespace
}  // namespace flotilla::admin
