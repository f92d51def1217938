// https through the client: a real TLS server (tls::ServerContext on a thread with a blocking
// socket) answers one request; the client verifies its chain against a given CA file or fails
// the connect with the reason (wrong CA, name not on the certificate).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

#include "../tls/tls_test_support.hpp"
#include "client/exchange.hpp"

namespace flotilla::client {
namespace {

using tls::testing::pki;

// Accepts one connection, handshakes with `cert`, reads a head and answers 200 "secure".
class TlsServer {
 public:
  explicit TlsServer(const tls::testing::KeyPair& cert) {
    context_ = tls::testing::build_server(
        tls::testing::server_settings({tls::testing::entry(cert)}), {"http/1.1"});
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 4), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsServer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }
  const std::string& request() const { return request_; }

 private:
  void serve() {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    std::error_code error;
    auto connection = tls::Connection::server(*context_, fd, error);  // blocking fd: no waits
    if (connection && connection->handshake().want == tls::Want::kNone &&
        connection->established()) {
      char buffer[4096];
      while (request_.find("\r\n\r\n") == std::string::npos) {
        const tls::Step step = connection->read(buffer, sizeof buffer);
        if (step.bytes == 0) break;
        request_.append(buffer, step.bytes);
      }
      const std::string answer =
          "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecure";
      connection->write(answer.data(), answer.size());
      connection->shutdown();
    }
    ::close(fd);
  }

  std::shared_ptr<const tls::ServerContext> context_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::string request_;
};

Endpoint https(std::string host, std::uint16_t port) {
  Endpoint endpoint = Endpoint::tcp(std::move(host), port);
  endpoint.scheme = Endpoint::Scheme::kHttps;
  return endpoint;
}

Options trusting(const std::filesystem::path& ca) {
  std::string error;
  Options options;
  options.tls = https_context(ca, error);
  EXPECT_TRUE(options.tls) << error;
  options.timeout = std::chrono::seconds(5);
  return options;
}

TEST(ClientHttps, VerifiesTheServerAgainstTheGivenCaAndExchanges) {
  TlsServer server(pki().localhost);
  Request request;
  request.target = "/secret";
  const Result result =
      exchange_blocking(https("localhost", server.port()), request, trusting(pki().dir / "ca.pem"));
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.response.status, 200);
  EXPECT_EQ(result.response.body, "secure");
  EXPECT_TRUE(server.request().starts_with("GET /secret HTTP/1.1\r\n")) << server.request();
}

TEST(ClientHttps, AnIpLiteralIsMatchedAgainstTheCertificatesIpAddresses) {
  TlsServer server(pki().localhost);  // carries IP:127.0.0.1
  const Result result = exchange_blocking(https("127.0.0.1", server.port()), Request{},
                                          trusting(pki().dir / "ca.pem"));
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.response.body, "secure");
}

TEST(ClientHttps, AnotherCaFailsTheConnectAndSaysWhy) {
  TlsServer server(pki().localhost);
  const Result result = exchange_blocking(https("localhost", server.port()), Request{},
                                          trusting(pki().dir / "other_ca.pem"));
  EXPECT_EQ(result.failure, Failure::kConnect);
  EXPECT_NE(result.message.find("certificate"), std::string::npos) << result.message;
}

TEST(ClientHttps, ANameNotOnTheCertificateFailsTheConnect) {
  TlsServer server(pki().other);  // other.test only
  const Result result = exchange_blocking(https("localhost", server.port()), Request{},
                                          trusting(pki().dir / "ca.pem"));
  EXPECT_EQ(result.failure, Failure::kConnect);
  EXPECT_FALSE(result.message.empty());
}

TEST(ClientHttps, AnUnreadableCaFileIsAnErrorWhenTheContextIsBuilt) {
  std::string error;
  EXPECT_EQ(https_context(pki().dir / "missing.pem", error), nullptr);
  EXPECT_NE(error.find("missing.pem"), std::string::npos) << error;
}

}  // namespace
}  // namespace flotilla::client
