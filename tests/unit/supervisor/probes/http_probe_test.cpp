// The http probe over client/ against a scripted server: the status decides (2xx/3xx by
// default, else the listed ones), the body is never waited for, failures say why.
#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "../../client/scripted_server.hpp"
#include "supervisor/probes/probe.hpp"

namespace flotilla::supervisor {
namespace {

using namespace std::chrono_literals;
using client::testing::Script;
using client::testing::ScriptedServer;

Script reply(std::string response) {
  Script script;
  script.pieces = {std::move(response)};
  return script;
}

ProbeResult run_probe(std::uint16_t port, std::vector<int> expected = {},
                      std::chrono::milliseconds timeout = 2s) {
  asio::io_context io;
  ProbeTarget target;
  target.executor = io.get_executor();
  target.port = port;
  target.timeout = timeout;
  std::unique_ptr<ProbeCheck> probe = make_http_probe(target, "/healthz", std::move(expected));
  ProbeResult result;
  asio::co_spawn(io, probe->run(), [&result](std::exception_ptr error, ProbeResult done) {
    result = error ? ProbeResult{false, "exception"} : std::move(done);
  });
  io.run();
  return result;
}

TEST(HttpProbe, PassesOnASuccessStatusAndSaysWhichItGot) {
  ScriptedServer server(reply("HTTP/1.1 204 No Content\r\n\r\n"));
  const ProbeResult result = run_probe(server.port());
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.detail, "GET /healthz → status 204");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].rfind("GET /healthz HTTP/1.1\r\n", 0), 0u) << server.requests()[0];
}

TEST(HttpProbe, JudgesByTheExpectedStatusesWhenGiven) {
  ScriptedServer server(reply("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"));
  const ProbeResult by_default = run_probe(server.port());
  EXPECT_FALSE(by_default.ok);
  EXPECT_EQ(by_default.detail, "GET /healthz → status 503");
  EXPECT_TRUE(run_probe(server.port(), {503}).ok);
  EXPECT_FALSE(run_probe(server.port(), {200}).ok);
}

TEST(HttpProbe, NeverWaitsForTheBody) {
  Script script = reply("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nstarted");
  script.hold_open = true;  // the rest of the body never comes
  ScriptedServer server(script);
  const auto start = std::chrono::steady_clock::now();
  const ProbeResult result = run_probe(server.port(), {}, 5s);
  EXPECT_TRUE(result.ok) << result.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(HttpProbe, FailuresSayWhy) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }  // closed: nothing listens there any more
  const ProbeResult refused = run_probe(port);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.detail, "connection refused");

  Script silent;
  silent.reply = false;
  ScriptedServer server(silent);
  const ProbeResult timed_out = run_probe(server.port(), {}, 200ms);
  EXPECT_FALSE(timed_out.ok);
  EXPECT_EQ(timed_out.detail, "timed out waiting for the response");

  const ProbeResult nowhere = run_probe(0);
  EXPECT_FALSE(nowhere.ok);
  EXPECT_EQ(nowhere.detail, "no address to probe");
}

}  // namespace
}  // namespace flotilla::supervisor
