#include "admin/client.hpp"

#include <gtest/gtest.h>

#include "admin_test_support.hpp"

namespace flotilla::admin {
namespace {

using testing::ServerThread;
using testing::TempDir;

void install_echo(Server& server) {
  server.router().add("POST", "/api/v1/echo",
                      [](const AdminRequest& request) -> asio::awaitable<AdminResponse> {
                        JsonBody body = parse_json_body(request);
                        if (!body.ok()) co_return *body.error;
                        nlohmann::json answer{{"trusted", request.trusted}, {"body", body.value}};
                        co_return json_response(202, answer);
                      });
  server.router().add("GET", "/text", [](const AdminRequest&) -> asio::awaitable<AdminResponse> {
    AdminResponse response;
    response.content_type = "text/plain";
    response.body = "plain words\n";
    co_return response;
  });
}

TEST(ParseAdminUrl, AcceptsHttpAndSocketPaths) {
  std::string error;
  auto target = parse_admin_url("http://127.0.0.1:9090", error);
  ASSERT_TRUE(target) << error;
  EXPECT_EQ(target->kind, ClientTarget::Kind::kTcp);
  EXPECT_EQ(target->host, "127.0.0.1");
  EXPECT_EQ(target->port, 9090);
  EXPECT_EQ(target->display(), "http://127.0.0.1:9090");
  target = parse_admin_url("http://[::1]:9090/", error);
  ASSERT_TRUE(target) << error;
  EXPECT_EQ(target->host, "::1");
  EXPECT_EQ(target->display(), "http://[::1]:9090");
  target = parse_admin_url("unix:/run/flotilla.sock", error);
  ASSERT_TRUE(target) << error;
  EXPECT_EQ(target->kind, ClientTarget::Kind::kUnixSocket);
  EXPECT_EQ(target->path, "/run/flotilla.sock");
  target = parse_admin_url("./flotilla.sock", error);
  ASSERT_TRUE(target) << error;
  EXPECT_EQ(target->path, "./flotilla.sock");
}

TEST(ParseAdminUrl, RejectsWhatItCannotServe) {
  std::string error;
  EXPECT_FALSE(parse_admin_url("https://host:9090", error));
  EXPECT_NE(error.find("plain http://"), std::string::npos) << error;
  EXPECT_FALSE(parse_admin_url("http://host:9090/api", error));
  EXPECT_FALSE(parse_admin_url("http://host", error));
  EXPECT_FALSE(parse_admin_url("http://host:0", error));
  EXPECT_FALSE(parse_admin_url("localhost:9090", error));
  EXPECT_NE(error.find("expected http://HOST:PORT"), std::string::npos) << error;
  EXPECT_FALSE(parse_admin_url("unix:", error));
  EXPECT_FALSE(parse_admin_url("ftp://host/x", error));
}

ServerOptions both(const std::filesystem::path& socket) {
  ServerOptions options;
  options.listen = config::Address{config::Address::Kind::tcp, "127.0.0.1", 0, ""};
  options.socket = socket;
  options.token = "s3cret";
  return options;
}

ClientTarget tcp_target(std::uint16_t port) {
  ClientTarget target;
  target.kind = ClientTarget::Kind::kTcp;
  target.host = "127.0.0.1";
  target.port = port;
  return target;
}

TEST(AdminClient, PostsJsonOverTcpWithAToken) {
  TempDir dir;
  ServerThread server(both(dir.path() / "s.sock"), install_echo);
  const Client client(tcp_target(server.port()), std::string("s3cret"));
  const ClientResponse response = client.post("/api/v1/echo", {{"replicas", 5}});
  EXPECT_EQ(response.status, 202);
  EXPECT_TRUE(response.ok());
  EXPECT_EQ(response.json["trusted"], true);
  EXPECT_EQ(response.json["body"]["replicas"], 5);
}

TEST(AdminClient, ReturnsHttpErrorsWithTheServerMessage) {
  TempDir dir;
  ServerThread server(both(dir.path() / "s.sock"), install_echo);
  const Client anonymous(tcp_target(server.port()));
  const ClientResponse refused = anonymous.post("/api/v1/echo", {{"replicas", 5}});
  EXPECT_EQ(refused.status, 401);
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.error_message(), "authentication required: Authorization: Bearer <token>");
  const ClientResponse missing = anonymous.get("/api/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error_message(), "no such resource: /api/v1/nothing");
}

TEST(AdminClient, UsesTheUnixSocketWithoutAToken) {
  TempDir dir;
  ServerThread server(both(dir.path() / "s.sock"), install_echo);
  ClientTarget target;
  target.path = (dir.path() / "s.sock").string();
  const Client client(target);
  const ClientResponse response = client.post("/api/v1/echo");
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.json["trusted"], true);
  EXPECT_EQ(response.json["body"], nlohmann::json::object());
  const ClientResponse text = client.get("/text");
  EXPECT_EQ(text.status, 200);
  EXPECT_EQ(text.body, "plain words\n");
  EXPECT_TRUE(text.json.is_null());
}

TEST(AdminClient, UnreachableSocketSaysWhatToDo) {
  TempDir dir;
  ClientTarget target;
  target.path = (dir.path() / "flotilla.sock").string();
  const Client client(target, std::nullopt, "admin.socket of flotilla.yaml");
  try {
    client.get("/api/v1/status");
    FAIL() << "no exception";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ClientError::Kind::kUnreachable);
    EXPECT_EQ(std::string(e.what()),
              "cannot reach flotilla at " + target.path +
                  ": no such file or directory — is `flotilla up` running? (admin.socket of "
                  "flotilla.yaml)");
  }
}

TEST(AdminClient, RefusedTcpConnectionIsUnreachable) {
  // Bind a port and close it again: nothing listens there any more.
  std::uint16_t port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  const Client client(tcp_target(port));
  try {
    client.get("/api/v1/status");
    FAIL() << "no exception";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.kind(), ClientError::Kind::kUnreachable);
    EXPECT_NE(std::string(e.what()).find("connection refused — is `flotilla up` running?"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace flotilla::admin
