#include "tls/client_context.hpp"

#include <gtest/gtest.h>

#include "tls/ticket_keys.hpp"
#include "tls_test_support.hpp"

namespace flotilla::tls {
namespace {

using namespace testing;
using ::testing::HasSubstr;

Outcome handshake_with(const config::UpstreamTls& client_tls, std::string_view server_name,
                       const KeyPair& served = pki().ecdsa) {
  const auto server = build_server(server_settings({entry(served)}));
  const auto client = build_client(client_tls);
  if (!server || !client) return {};
  auto pair = connect(*server, *client, server_name);
  return drive_handshake(*pair->client, *pair->server);
}

TEST(ClientContext, VerifiesAgainstTheConfiguredCa) {
  const Outcome outcome = handshake_with(client_settings(), "www.example.com");
  EXPECT_TRUE(outcome.ok()) << outcome.client.error.message();
}

TEST(ClientContext, TheWrongCaFailsVerification) {
  config::UpstreamTls tls = client_settings();
  tls.ca = pki().dir / "other_ca.pem";
  const Outcome outcome = handshake_with(tls, "www.example.com");
  EXPECT_TRUE(is_verify_error(outcome.client.error)) << outcome.client.error.message();
  EXPECT_EQ(outcome.client.error.message(),
            "handshake failed: certificate verify failed: unable to get local issuer certificate");
}

TEST(ClientContext, TheWrongHostnameFailsVerification) {
  const Outcome outcome = handshake_with(client_settings(), "wrong.test");
  EXPECT_EQ(outcome.client.error.message(),
            "handshake failed: certificate verify failed: hostname mismatch");
  // Wildcards in the presented name do not match the bare domain or two labels.
  EXPECT_TRUE(handshake_with(client_settings(), "a.wild.test", pki().wildcard).ok());
  EXPECT_TRUE(handshake_with(client_settings(), "a.b.wild.test", pki().wildcard).client.error);
}

TEST(ClientContext, IpLiteralsAreMatchedAgainstIpSans) {
  EXPECT_TRUE(handshake_with(client_settings(), "127.0.0.1", pki().localhost).ok());
  const Outcome outcome = handshake_with(client_settings(), "127.0.0.2", pki().localhost);
  EXPECT_EQ(outcome.client.error.message(),
            "handshake failed: certificate verify failed: IP address mismatch");
}

TEST(ClientContext, VerifyOffAcceptsAnyCertificate) {
  config::UpstreamTls tls = client_settings(false);
  tls.ca = pki().dir / "other_ca.pem";
  EXPECT_TRUE(handshake_with(tls, "wrong.test").ok());
}

TEST(ClientContext, TheSystemTrustStoreIsTheDefault) {
  config::UpstreamTls tls;
  std::string error;
  const auto context = ClientContext::build(tls, "upstreams.app.tls", error);
  ASSERT_TRUE(context) << error;
  // Our throwaway CA is not in the system store.
  const Outcome outcome = handshake_with(tls, "www.example.com");
  EXPECT_TRUE(is_verify_error(outcome.client.error));
}

TEST(ClientContext, ProtocolsFromTheConfig) {
  config::UpstreamTls tls = client_settings();
  tls.protocols = {config::TlsProtocol::tls1_2};
  const auto context = build_client(tls);
  ASSERT_TRUE(context);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(context->context()), TLS1_2_VERSION);
}

TEST(ClientContext, BuildErrorsNameTheFile) {
  std::string error;
  config::UpstreamTls tls = client_settings();
  tls.ca = pki().not_pem;
  EXPECT_FALSE(ClientContext::build(tls, "upstreams.app.tls", error));
  EXPECT_EQ(error, "upstreams.app.tls.ca: no PEM certificate in ca " + pki().not_pem.string());
  tls = client_settings();
  tls.client_cert = pki().client.cert;
  tls.client_key = pki().rsa.key;
  EXPECT_FALSE(ClientContext::build(tls, "upstreams.app.tls", error));
  EXPECT_EQ(error, "upstreams.app.tls.client_cert: key " + pki().rsa.key.string() +
                       " does not match certificate " + pki().client.cert.string());
  tls.client_key.reset();
  EXPECT_FALSE(ClientContext::build(tls, "upstreams.app.tls", error));
  EXPECT_EQ(error, "upstreams.app.tls: client_cert and client_key go together");
}

TEST(ClientContext, SessionsResumeAcrossConnections) {
  install_thread_ticket_keys(TicketKeys::next(nullptr));
  const auto server = build_server(server_settings({entry(pki().ecdsa)}));
  const auto client = build_client(client_settings());
  ASSERT_TRUE(server && client);
  SessionPtr session;
  {
    auto pair = connect(*server, *client, "example.com");
    ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
    session = take_session(*pair);
    ASSERT_TRUE(session);
  }
  auto pair = connect(*server, *client, "example.com", session.get());
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  EXPECT_TRUE(pair->client->resumed());
  EXPECT_TRUE(pair->client->peer_verified());
  install_thread_ticket_keys(nullptr);
}

}  // namespace
}  // namespace flotilla::tls
