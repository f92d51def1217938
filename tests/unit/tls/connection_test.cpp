#include "tls/connection.hpp"

#include <sys/socket.h>

#include <gtest/gtest.h>

#include "tls/ticket_keys.hpp"
#include "tls_test_support.hpp"

namespace flotilla::tls {
namespace {

using namespace testing;

class ConnectionTest : public ::testing::TestWithParam<config::TlsProtocol> {
 protected:
  void SetUp() override { install_thread_ticket_keys(TicketKeys::next(nullptr)); }
  void TearDown() override { install_thread_ticket_keys(nullptr); }

  std::shared_ptr<const ClientContext> client() const {
    config::UpstreamTls tls = client_settings();
    tls.protocols = {GetParam()};
    return build_client(tls);
  }
  std::string_view version() const {
    return GetParam() == config::TlsProtocol::tls1_3 ? "TLSv1.3" : "TLSv1.2";
  }
};

INSTANTIATE_TEST_SUITE_P(Versions, ConnectionTest,
                         ::testing::Values(config::TlsProtocol::tls1_2,
                                           config::TlsProtocol::tls1_3),
                         [](const auto& info) {
                           return info.param == config::TlsProtocol::tls1_3 ? "TLS13" : "TLS12";
                         });

TEST_P(ConnectionTest, HandshakeThenDataBothWays) {
  const auto server = build_server(server_settings({entry(pki().ecdsa)}));
  const auto client_context = client();
  ASSERT_TRUE(server && client_context);
  auto pair = connect(*server, *client_context, "www.example.com");
  EXPECT_FALSE(pair->client->established());
  const Outcome outcome = drive_handshake(*pair->client, *pair->server);
  ASSERT_TRUE(outcome.ok()) << outcome.client.error.message() << " / "
                            << outcome.server.error.message();
  EXPECT_TRUE(pair->client->established());
  EXPECT_TRUE(pair->server->established());
  EXPECT_EQ(pair->client->version(), version());
  EXPECT_EQ(pair->server->version(), version());
  EXPECT_EQ(pair->server->cipher(), pair->client->cipher());
  EXPECT_FALSE(pair->server->cipher().empty());
  EXPECT_EQ(pair->server->sni(), "www.example.com");
  EXPECT_EQ(pair->client->sni(), "www.example.com");
  EXPECT_FALSE(pair->client->resumed());
  EXPECT_TRUE(pair->client->peer_verified());
  EXPECT_EQ(pair->client->peer_subject(), "CN=example.com");
  EXPECT_FALSE(pair->server->peer_verified());  // no client_ca

  write_all(*pair->client, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_exactly(*pair->server, 18), "GET / HTTP/1.1\r\n\r\n");
  const std::string big(200 * 1024, 'b');  // larger than the socket buffer: partial writes
  std::size_t written = 0;
  std::string received;
  char buffer[8192];
  for (int turn = 0; turn < 10000 && received.size() < big.size(); ++turn) {
    if (written < big.size()) {
      const Step w = pair->server->write(big.data() + written, big.size() - written);
      ASSERT_FALSE(w.error) << w.error.message();
      written += w.bytes;
    }
    const Step r = pair->client->read(buffer, sizeof buffer);
    ASSERT_FALSE(r.error) << r.error.message();
    received.append(buffer, r.bytes);
  }
  EXPECT_EQ(received, big);
}

TEST_P(ConnectionTest, NothingToReadAsksToWaitForTheFd) {
  const auto server = build_server(server_settings({entry(pki().ecdsa)}));
  const auto client_context = client();
  ASSERT_TRUE(server && client_context);
  auto pair = connect(*server, *client_context, "example.com");
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  char buffer[16];
  const Step result = pair->server->read(buffer, sizeof buffer);
  EXPECT_EQ(result.want, Want::kRead);
  EXPECT_EQ(result.bytes, 0u);
  EXPECT_FALSE(result.error);
  EXPECT_FALSE(result.eof);
}

TEST_P(ConnectionTest, HasPendingAfterASmallReadFromALargeRecord) {
  const auto server = build_server(server_settings({entry(pki().ecdsa)}));
  const auto client_context = client();
  ASSERT_TRUE(server && client_context);
  auto pair = connect(*server, *client_context, "example.com");
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  write_all(*pair->server, std::string(16000, 'r'));  // one record
  EXPECT_FALSE(pair->client->has_pending());
  EXPECT_EQ(read_exactly(*pair->client, 100), std::string(100, 'r'));
  EXPECT_TRUE(pair->client->has_pending());
  // The rest comes out of OpenSSL's buffer without the socket: drain it so the fd is empty first.
  char sink[1];
  EXPECT_EQ(recv(pair->sockets.client, sink, 1, MSG_PEEK | MSG_DONTWAIT), -1);
  EXPECT_EQ(read_exactly(*pair->client, 15900), std::string(15900, 'r'));
  EXPECT_FALSE(pair->client->has_pending());
}

TEST_P(ConnectionTest, CloseNotifyReadsAsEof) {
  const auto server = build_server(server_settings({entry(pki().ecdsa)}));
  const auto client_context = client();
  ASSERT_TRUE(server && client_context);
  auto pair = connect(*server, *client_context, "example.com");
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  write_all(*pair->server, "bye");
  const Step shut = pair->server->shutdown();
  EXPECT_EQ(shut.want, Want::kNone);
  EXPECT_FALSE(shut.error);
  Step last;
  EXPECT_EQ(read_exactly(*pair->client, 10, &last), "bye");
  EXPECT_TRUE(last.eof);
  EXPECT_FALSE(last.error);
  EXPECT_EQ(pair->server->shutdown().want, Want::kNone);  // once only, never an error
}

TEST_P(ConnectionTest, TcpFinWithoutCloseNotifyReadsAsEof) {
  const auto server = build_server(server_settings({entry(pki().ecdsa)}));
  const auto client_context = client();
  ASSERT_TRUE(server && client_context);
  auto pair = connect(*server, *client_context, "example.com");
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  write_all(*pair->client, "x");  // TLS 1.3: lets the client take the server's tickets first
  ::shutdown(pair->sockets.client, SHUT_WR);
  Step last;
  EXPECT_EQ(read_exactly(*pair->server, 10, &last), "x");
  EXPECT_TRUE(last.eof);
  EXPECT_FALSE(last.error) << last.error.message();
}

TEST_P(ConnectionTest, PeerClosingDuringTheHandshakeIsAnError) {
  const auto server = build_server(server_settings({entry(pki().ecdsa)}));
  ASSERT_TRUE(server);
  SocketPair sockets;
  std::error_code error;
  auto connection = Connection::server(*server, sockets.server, error);
  ASSERT_TRUE(connection) << error.message();
  EXPECT_EQ(connection->handshake().want, Want::kRead);
  ::close(sockets.client);
  sockets.client = -1;
  const Step result = connection->handshake();
  EXPECT_TRUE(result.eof);
  EXPECT_EQ(result.error, make_error_code(Errc::kUnexpectedEof, true));
}

TEST_P(ConnectionTest, ReadOrWriteBeforeTheHandshakeIsRefused) {
  const auto server = build_server(server_settings({entry(pki().ecdsa)}));
  ASSERT_TRUE(server);
  SocketPair sockets;
  std::error_code error;
  auto connection = Connection::server(*server, sockets.server, error);
  ASSERT_TRUE(connection);
  char buffer[4];
  EXPECT_EQ(connection->read(buffer, 4).error, make_error_code(Errc::kNoHandshake));
  EXPECT_EQ(connection->write("abcd", 4).error, make_error_code(Errc::kNoHandshake));
  EXPECT_EQ(connection->shutdown().want, Want::kNone);
}

TEST_P(ConnectionTest, GarbageIsAHandshakeErrorWithOpenSslsReason) {
  const auto server = build_server(server_settings({entry(pki().ecdsa)}));
  ASSERT_TRUE(server);
  SocketPair sockets;
  std::error_code error;
  auto connection = Connection::server(*server, sockets.server, error);
  ASSERT_TRUE(connection);
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(sockets.client, request.data(), request.size(), 0),
            static_cast<ssize_t>(request.size()));
  const Step result = connection->handshake();
  EXPECT_TRUE(is_handshake_error(result.error));
  EXPECT_EQ(result.error.message(), "handshake failed: http request");
}

TEST_P(ConnectionTest, ResumesByTicket) {
  config::Tls tls = server_settings({entry(pki().ecdsa)});
  tls.session_cache = 0;  // tickets only
  const auto server = build_server(tls);
  const auto client_context = client();
  ASSERT_TRUE(server && client_context);
  SessionPtr session;
  {
    auto pair = connect(*server, *client_context, "example.com");
    ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
    session = take_session(*pair);
    ASSERT_TRUE(session);
    EXPECT_TRUE(SSL_SESSION_has_ticket(session.get()));
  }
  auto pair = connect(*server, *client_context, "example.com", session.get());
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  EXPECT_TRUE(pair->client->resumed());
  EXPECT_TRUE(pair->server->resumed());
}

TEST_P(ConnectionTest, ResumesBySessionCacheWithTicketsOff) {
  config::Tls tls = server_settings({entry(pki().ecdsa)});
  tls.session_tickets = false;
  const auto server = build_server(tls);
  const auto client_context = client();
  ASSERT_TRUE(server && client_context);
  SessionPtr session;
  {
    auto pair = connect(*server, *client_context, "example.com");
    ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
    session = take_session(*pair);
    ASSERT_TRUE(session);
  }
  auto pair = connect(*server, *client_context, "example.com", session.get());
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  EXPECT_TRUE(pair->server->resumed());
  EXPECT_EQ(SSL_CTX_sess_hits(server->context()), 1);
}

TEST_P(ConnectionTest, NoResumptionWithCacheAndTicketsOff) {
  config::Tls tls = server_settings({entry(pki().ecdsa)});
  tls.session_tickets = false;
  tls.session_cache = 0;
  const auto server = build_server(tls);
  const auto client_context = client();
  ASSERT_TRUE(server && client_context);
  SessionPtr session;
  {
    auto pair = connect(*server, *client_context, "example.com");
    ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
    session = take_session(*pair);
  }
  auto pair = connect(*server, *client_context, "example.com", session.get());
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  EXPECT_FALSE(pair->server->resumed());
}

TEST_P(ConnectionTest, WithoutThreadKeysNoTicketIsIssued) {
  install_thread_ticket_keys(nullptr);
  config::Tls tls = server_settings({entry(pki().ecdsa)});
  tls.session_cache = 0;
  const auto server = build_server(tls);
  const auto client_context = client();
  ASSERT_TRUE(server && client_context);
  auto pair = connect(*server, *client_context, "example.com");
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  write_all(*pair->server, "x");
  EXPECT_EQ(read_exactly(*pair->client, 1), "x");
  const SessionPtr session = pair->client->session();
  EXPECT_TRUE(!session || !SSL_SESSION_has_ticket(session.get()));
}

}  // namespace
}  // namespace flotilla::tls
