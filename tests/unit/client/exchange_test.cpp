// The client against a scripted in-test server: every body framing, interim responses, bounds
// (timeouts, body size), failures as values, unix sockets, and the awaitable API.
#include "client/exchange.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "scripted_server.hpp"

namespace flotilla::client {
namespace {

using namespace std::chrono_literals;
using testing::Script;
using testing::ScriptedServer;

Endpoint local(const ScriptedServer& server) {
  return Endpoint::tcp("127.0.0.1", server.port());
}

Script reply(std::vector<std::string> pieces) {
  Script script;
  script.pieces = std::move(pieces);
  return script;
}

TEST(ClientExchange, ReadsAContentLengthBodyAndSendsAWellFormedRequest) {
  ScriptedServer server(
      reply({"HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Thing: a\r\n\r\nhello"}));
  Request request;
  request.method = "POST";
  request.target = "/api/v2/alerts?x=1";
  request.headers.push_back({"Content-Type", "application/json"});
  request.body = "[1,2]";
  const Result result = exchange_blocking(local(server), request);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.response.status, 201);
  EXPECT_EQ(result.response.body, "hello");
  ASSERT_NE(result.response.header("x-thing"), nullptr);
  EXPECT_EQ(*result.response.header("x-thing"), "a");
  EXPECT_EQ(result.response.header("Missing"), nullptr);

  const std::vector<std::string> seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  const std::string& sent = seen[0];
  EXPECT_TRUE(sent.starts_with("POST /api/v2/alerts?x=1 HTTP/1.1\r\n")) << sent;
  EXPECT_NE(sent.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos)
      << sent;
  EXPECT_NE(sent.find("\r\nConnection: close\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("\r\nContent-Length: 5\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("\r\nUser-Agent: flotilla/"), std::string::npos) << sent;
  EXPECT_TRUE(sent.ends_with("\r\n\r\n[1,2]")) << sent;
}

TEST(ClientExchange, ReadsAChunkedBodyArrivingInPieces) {
  ScriptedServer server(reply({"HTTP/1.1 200 OK\r\nTransfer-", "Encoding: chunked\r\n\r\n5\r",
                               "\nhello\r\n6\r\n wor", "ld\r\n0\r\n\r\n"}));
  const Result result = exchange_blocking(local(server), Request{});
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.response.status, 200);
  EXPECT_EQ(result.response.body, "hello world");
}

TEST(ClientExchange, ReadsABodyDelimitedByClose) {
  ScriptedServer server(reply({"HTTP/1.1 200 OK\r\n\r\nuntil ", "the close"}));
  const Result result = exchange_blocking(local(server), Request{});
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.response.body, "until the close");
}

TEST(ClientExchange, SkipsInterimResponses) {
  ScriptedServer server(
      reply({"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: "
             "</a.css>\r\n\r\n",
             "HTTP/1.1 204 No Content\r\nX-Final: yes\r\n\r\n"}));
  const Result result = exchange_blocking(local(server), Request{});
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.response.status, 204);
  EXPECT_EQ(result.response.header("Link"), nullptr);
  EXPECT_NE(result.response.header("X-Final"), nullptr);
  EXPECT_EQ(result.response.body, "");
}

TEST(ClientExchange, ANoReplyServerTimesOutWithinTheBound) {
  Script script;
  script.reply = false;
  ScriptedServer server(script);
  Options options;
  options.timeout = 200ms;
  const auto start = std::chrono::steady_clock::now();
  const Result result = exchange_blocking(local(server), Request{}, options);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.failure, Failure::kReceive);
  EXPECT_TRUE(result.timed_out());
  EXPECT_EQ(result.message, "timed out waiting for the response");
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 2s);
}

TEST(ClientExchange, ABodyThatStopsComingTimesOut) {
  Script script = reply({"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"});
  script.hold_open = true;
  ScriptedServer server(script);
  Options options;
  options.timeout = 200ms;
  const Result result = exchange_blocking(local(server), Request{}, options);
  EXPECT_EQ(result.failure, Failure::kReceive);
  EXPECT_TRUE(result.timed_out()) << result.message;
}

TEST(ClientExchange, StopsAtTheHeadWhenTheBodyIsNotWanted) {
  Script script = reply({"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 10\r\n\r\nabc"});
  script.hold_open = true;  // the rest of the body never comes; nobody waits for it
  ScriptedServer server(script);
  Options options;
  options.read_body = false;
  options.timeout = 2s;
  const Result result = exchange_blocking(local(server), Request{}, options);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.response.status, 503);
  EXPECT_EQ(result.response.body, "");
}

TEST(ClientExchange, ConnectionRefusedIsAConnectFailure) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }  // closed: nothing listens there any more
  const Result result = exchange_blocking(Endpoint::tcp("127.0.0.1", port), Request{});
  EXPECT_EQ(result.failure, Failure::kConnect);
  // Comparable with std::errc (Asio's own category is not): admin::Client tells "is it running?"
  EXPECT_EQ(result.error, std::errc::connection_refused);
  EXPECT_EQ(result.message, "connection refused");
}

TEST(ClientExchange, AConnectThatHangsTimesOutWithinTheConnectBound) {
  // A loopback listener whose accept queue is full and never drained: the kernel drops further
  // SYNs, so a connect to it waits until our bound.
  asio::io_context io;
  asio::ip::tcp::acceptor full(io);
  full.open(asio::ip::tcp::v4());
  full.bind({asio::ip::make_address("127.0.0.1"), 0});
  full.listen(0);
  const sockaddr_in address{
      AF_INET, htons(full.local_endpoint().port()), {htonl(INADDR_LOOPBACK)}, {}};
  std::vector<int> fillers;  // the first fills the queue; the second's SYN is already dropped
  for (int i = 0; i < 2; ++i) {
    fillers.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    ASSERT_GE(fillers.back(), 0);
    ::connect(fillers.back(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  }
  Options options;
  options.connect_timeout = 200ms;
  options.timeout = 5s;
  const auto start = std::chrono::steady_clock::now();
  const Result result = exchange_blocking(Endpoint::tcp("127.0.0.1", full.local_endpoint().port()),
                                          Request{}, options);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.failure, Failure::kConnect);
  EXPECT_TRUE(result.timed_out()) << result.message;
  EXPECT_EQ(result.message, "connection timed out");
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 2s);
  for (const int fd : fillers) ::close(fd);
}

TEST(ClientExchange, ResolvesNames) {
  ScriptedServer server(reply({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}));
  const Result result = exchange_blocking(Endpoint::tcp("localhost", server.port()), Request{});
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.response.body, "ok");
}

TEST(ClientExchange, RefusesAnOversizedBody) {
  Options options;
  options.max_body = 10;
  {
    ScriptedServer server(reply({"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n01234567890"}));
    const Result result = exchange_blocking(local(server), Request{}, options);
    EXPECT_EQ(result.failure, Failure::kReceive);
    EXPECT_EQ(result.message, "response body over 10 bytes");
  }
  {
    ScriptedServer server(
        reply({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n",
               "5\r\n67890\r\n"}));
    const Result result = exchange_blocking(local(server), Request{}, options);
    EXPECT_EQ(result.failure, Failure::kReceive);
    EXPECT_EQ(result.message, "response body over 10 bytes");
  }
  {
    ScriptedServer server(reply({"HTTP/1.1 200 OK\r\n\r\n0123456789", "0"}));
    const Result result = exchange_blocking(local(server), Request{}, options);
    EXPECT_EQ(result.message, "response body over 10 bytes");
  }
  {  // exactly the bound is fine
    ScriptedServer server(reply({"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"}));
    const Result result = exchange_blocking(local(server), Request{}, options);
    EXPECT_TRUE(result.ok()) << result.message;
  }
}

TEST(ClientExchange, MalformedAndTruncatedResponsesAreReceiveFailures) {
  {
    ScriptedServer server(reply({"HTTP/1.1 2000 Nope\r\n\r\n"}));
    const Result result = exchange_blocking(local(server), Request{});
    EXPECT_EQ(result.failure, Failure::kReceive);
    EXPECT_TRUE(result.message.starts_with("malformed response: ")) << result.message;
  }
  {
    ScriptedServer server(reply({"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}));
    const Result result = exchange_blocking(local(server), Request{});
    EXPECT_EQ(result.message, "connection closed mid-response");
  }
  {
    ScriptedServer server(reply({}));
    const Result result = exchange_blocking(local(server), Request{});
    EXPECT_EQ(result.message, "connection closed without a response");
  }
  {
    ScriptedServer server(reply({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}));
    const Result result = exchange_blocking(local(server), Request{});
    EXPECT_TRUE(result.message.starts_with("malformed response body: ")) << result.message;
  }
}

TEST(ClientExchange, TalksOverAUnixSocket) {
  const std::filesystem::path socket = std::filesystem::temp_directory_path() /
                                       ("flotilla-client-" + std::to_string(::getpid()) + ".sock");
  {
    ScriptedServer server(reply({"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nunix"}), socket);
    const Result result = exchange_blocking(Endpoint::unix_socket(socket.string()), Request{});
    ASSERT_TRUE(result.ok()) << result.message;
    EXPECT_EQ(result.response.body, "unix");
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_NE(server.requests()[0].find("\r\nHost: localhost\r\n"), std::string::npos);
  }
  std::filesystem::remove(socket);
  const Result missing = exchange_blocking(Endpoint::unix_socket(socket.string()), Request{});
  EXPECT_EQ(missing.failure, Failure::kConnect);
  EXPECT_EQ(missing.message, "no such file or directory");
  EXPECT_EQ(missing.error, std::errc::no_such_file_or_directory);
}

TEST(ClientExchange, RunsOnTheCallersExecutor) {
  ScriptedServer server(reply({"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes"}));
  asio::io_context control;
  std::optional<Result> result;
  const asio::any_io_executor executor = control.get_executor();
  asio::co_spawn(control, exchange(executor, local(server), Request{}),
                 [&](std::exception_ptr, Result done) { result = std::move(done); });
  control.run_for(5s);
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->ok()) << result->message;
  EXPECT_EQ(result->response.body, "yes");
}

TEST(ClientExchange, RefusesWhatItCannotSend) {
  Request request;
  request.headers.push_back({"X-Evil", "a\r\nInjected: 1"});
  Result result = exchange_blocking(Endpoint::tcp("127.0.0.1", 9), request);
  EXPECT_EQ(result.failure, Failure::kInvalidRequest);
  request.headers = {{"Connection", "keep-alive"}};
  result = exchange_blocking(Endpoint::tcp("127.0.0.1", 9), request);
  EXPECT_EQ(result.failure, Failure::kInvalidRequest);
  request.headers.clear();
  request.target = "/a b";
  result = exchange_blocking(Endpoint::tcp("127.0.0.1", 9), request);
  EXPECT_EQ(result.failure, Failure::kInvalidRequest);
  request.target = "/";
  request.method = "GE T";
  result = exchange_blocking(Endpoint::tcp("127.0.0.1", 9), request);
  EXPECT_EQ(result.failure, Failure::kInvalidRequest);
}

}  // namespace
}  // namespace flotilla::client
