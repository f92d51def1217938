#include "tls/server_context.hpp"

#include <gtest/gtest.h>

#include "tls/ticket_keys.hpp"
#include "tls_test_support.hpp"

namespace flotilla::tls {
namespace {

using namespace testing;
using ::testing::HasSubstr;

std::string build_error(const config::Tls& tls) {
  std::string error;
  EXPECT_FALSE(ServerContext::build(tls, {}, "listen[1].tls", error));
  return error;
}

// ---------------------------------------------------------------- build() refusals

TEST(ServerContextBuild, KeyMismatchNamesTheEntryAndFiles) {
  config::TlsCertificate bad = entry(pki().rsa);
  bad.key = pki().ecdsa.key;
  EXPECT_EQ(build_error(server_settings({entry(pki().other), bad})),
            "listen[1].tls.certificates[1]: key " + pki().ecdsa.key.string() +
                " does not match certificate " + pki().rsa.cert.string());
}

TEST(ServerContextBuild, UnreadableFilesAreNamed) {
  config::TlsCertificate missing = entry(pki().rsa);
  missing.cert = pki().dir / "nope.pem";
  EXPECT_EQ(build_error(server_settings({missing})),
            "listen[1].tls.certificates[0]: cannot read certificate " +
                (pki().dir / "nope.pem").string() + ": No such file or directory");
}

TEST(ServerContextBuild, ExpiredAndNotYetValidCertificatesAreRefused) {
  EXPECT_THAT(build_error(server_settings({entry(pki().expired)})),
              HasSubstr("listen[1].tls.certificates[0]: certificate " +
                        pki().expired.cert.string() + " expired on "));
  EXPECT_THAT(build_error(server_settings({entry(pki().future)})),
              HasSubstr("listen[1].tls.certificates[0]: certificate " + pki().future.cert.string() +
                        " is not valid before "));
}

TEST(ServerContextBuild, ChainOutOfOrderIsRefused) {
  EXPECT_THAT(build_error(server_settings({entry(pki().unordered_chain)})),
              HasSubstr("is out of order"));
}

TEST(ServerContextBuild, TwoCertificatesOfOneKindForTheSameNamesAreRefused) {
  EXPECT_THAT(
      build_error(server_settings({entry(pki().ecdsa), entry(pki().rsa), entry(pki().ecdsa)})),
      HasSubstr("listen[1].tls.certificates[2]: certificate " + pki().ecdsa.cert.string() +
                " has the same names and key type (ECDSA P-256) as certificates[0]"));
}

TEST(ServerContextBuild, BadOcspFilesAreRefused) {
  config::TlsCertificate garbage = entry(pki().rsa);
  garbage.ocsp = pki().not_der;
  EXPECT_EQ(build_error(server_settings({garbage})),
            "listen[1].tls.certificates[0]: OCSP response " + pki().not_der.string() +
                " is not a DER OCSPResponse");
  config::TlsCertificate someone_elses = entry(pki().rsa);
  someone_elses.ocsp = pki().ecdsa_ocsp;  // about the ECDSA certificate
  EXPECT_THAT(build_error(server_settings({someone_elses})),
              HasSubstr("has no status for this certificate"));
}

TEST(ServerContextBuild, BadClientCaIsRefused) {
  config::Tls tls = server_settings({entry(pki().rsa)});
  tls.client_ca = pki().not_pem;
  tls.verify = config::TlsVerify::required;
  EXPECT_EQ(build_error(tls),
            "listen[1].tls.client_ca: no PEM certificate in client_ca " + pki().not_pem.string());
  tls.client_ca.reset();
  EXPECT_EQ(build_error(tls), "listen[1].tls: verify: required needs client_ca");
}

TEST(ServerContextBuild, InvalidCipherAndGroupListsAreRefused) {
  config::Tls tls = server_settings({entry(pki().rsa)});
  tls.ciphers = "NOT-A-CIPHER";
  EXPECT_EQ(build_error(tls),
            "listen[1].tls: ciphers: no usable TLS 1.2 cipher in \"NOT-A-CIPHER\"");
  tls.ciphers.clear();
  tls.ciphersuites = "TLS_AES_128_GCM_SHA256:TLS_NOPE";
  EXPECT_EQ(build_error(tls),
            "listen[1].tls: ciphersuites: unknown TLS 1.3 cipher suite \"TLS_NOPE\"");
  tls.ciphersuites.clear();
  tls.groups = {"X25519", "P-999"};
  EXPECT_EQ(build_error(tls),
            "listen[1].tls: groups: unknown key exchange group in \"X25519:P-999\"");
}

TEST(ServerContextBuild, DescribesItsCertificatesAndGroupsThemByNames) {
  const auto context =
      build_server(server_settings({entry(pki().rsa), entry(pki().other), entry(pki().ecdsa)}));
  ASSERT_TRUE(context);
  ASSERT_EQ(context->certificates().size(), 3u);
  EXPECT_EQ(context->certificates()[0].key_type, "RSA 2048");
  EXPECT_EQ(context->certificates()[1].names, std::vector<std::string>{"other.test"});
  EXPECT_EQ(context->certificates()[2].key_type, "ECDSA P-256");
  EXPECT_EQ(context->certificate_sets(), 2u);  // example.com (RSA + ECDSA), other.test
}

TEST(ServerContextBuild, SafeDefaults) {
  const auto context = build_server(server_settings({entry(pki().ecdsa)}));
  ASSERT_TRUE(context);
  SSL_CTX* ctx = context->context();
  const uint64_t options = SSL_CTX_get_options(ctx);
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
  EXPECT_TRUE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
  const long mode = SSL_CTX_get_mode(ctx);
  EXPECT_TRUE(mode & SSL_MODE_RELEASE_BUFFERS);
  EXPECT_TRUE(mode & SSL_MODE_ENABLE_PARTIAL_WRITE);
  EXPECT_TRUE(mode & SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  EXPECT_EQ(SSL_CTX_get_read_ahead(ctx), 1);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(ctx), TLS1_3_VERSION);
  // TLS 1.2: ECDHE + AEAD only.
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    if (std::string_view(SSL_CIPHER_get_version(cipher)) == "TLSv1.3") continue;
    EXPECT_EQ(SSL_CIPHER_get_kx_nid(cipher), NID_kx_ecdhe) << SSL_CIPHER_get_name(cipher);
    EXPECT_TRUE(SSL_CIPHER_is_aead(cipher)) << SSL_CIPHER_get_name(cipher);
  }
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_SERVER);
  EXPECT_EQ(SSL_CTX_sess_get_cache_size(ctx), 20480);
  EXPECT_EQ(SSL_CTX_get_timeout(ctx), 600);
}

TEST(ServerContextBuild, ProtocolsFromTheConfig) {
  config::Tls tls = server_settings({entry(pki().ecdsa)});
  tls.protocols = {config::TlsProtocol::tls1_3};
  const auto context = build_server(tls);
  ASSERT_TRUE(context);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context->context()), TLS1_3_VERSION);
  tls.protocols.clear();
  EXPECT_EQ(build_error(tls), "listen[1].tls: protocols: no TLS version enabled");
}

// ---------------------------------------------------------------- handshakes

class ServerHandshake : public ::testing::TestWithParam<config::TlsProtocol> {
 protected:
  void SetUp() override { install_thread_ticket_keys(TicketKeys::next(nullptr)); }
  void TearDown() override { install_thread_ticket_keys(nullptr); }

  config::UpstreamTls client_tls(bool verify = true) const {
    config::UpstreamTls tls = client_settings(verify);
    tls.protocols = {GetParam()};
    return tls;
  }
  std::string_view version() const {
    return GetParam() == config::TlsProtocol::tls1_3 ? "TLSv1.3" : "TLSv1.2";
  }
};

INSTANTIATE_TEST_SUITE_P(Versions, ServerHandshake,
                         ::testing::Values(config::TlsProtocol::tls1_2,
                                           config::TlsProtocol::tls1_3),
                         [](const auto& info) {
                           return info.param == config::TlsProtocol::tls1_3 ? "TLS13" : "TLS12";
                         });

TEST_P(ServerHandshake, SniPicksTheCertificateSet) {
  const auto server = build_server(server_settings(
      {entry(pki().ecdsa), entry(pki().other), entry(pki().wildcard), entry(pki().localhost)}));
  const auto client = build_client(client_tls(false));
  ASSERT_TRUE(server && client);
  const struct {
    std::string_view sni;
    std::string_view subject;
  } cases[] = {
      {"www.example.com", "CN=example.com"},
      {"other.test", "CN=other.test"},
      {"OTHER.test", "CN=other.test"},
      {"api.wild.test", "CN=wild"},
      {"a.b.wild.test", "CN=example.com"},
      {"unknown.test", "CN=example.com"},
      {"", "CN=example.com"},
      {"localhost", "CN=localhost"},
  };
  for (const auto& c : cases) {
    auto pair = connect(*server, *client, c.sni);
    const Outcome outcome = drive_handshake(*pair->client, *pair->server);
    ASSERT_TRUE(outcome.ok()) << c.sni << ": " << outcome.client.error.message() << " / "
                              << outcome.server.error.message();
    EXPECT_EQ(pair->client->peer_subject(), c.subject) << c.sni;
    EXPECT_EQ(pair->server->sni(), c.sni) << c.sni;
    EXPECT_EQ(pair->server->version(), version());
  }
}

// An ACME listener: one file pair per domain. A copy of an older certificate covering several
// domains is served once, and a domain's own certificate wins SNI over it whatever the order.
TEST_P(ServerHandshake, AcmeListenersPreferADomainsOwnCertificate) {
  const fs::path copy = pki().dir / "acme-copy.pem";
  fs::copy_file(pki().ecdsa.cert, copy, fs::copy_options::overwrite_existing);
  const KeyPair copied{copy, pki().ecdsa.key};
  EvpPkeyPtr key = ecdsa_key();
  X509Ptr own = make_certificate(CertSpec("www.example.com").san("DNS:www.example.com"), key.get(),
                                 pki().ca.get(), pki().ca_key.get());
  const KeyPair www{pki().dir / "acme-www.pem", pki().dir / "acme-www.key"};
  write_pem(www.cert, {own.get()});
  write_key(www.key, key.get());
  config::Tls settings = server_settings({entry(pki().ecdsa), entry(copied), entry(www)});
  EXPECT_THAT(build_error(settings), HasSubstr("has the same names and key type"));  // files
  settings.acme = config::Acme{};
  const auto server = build_server(settings);
  const auto client = build_client(client_tls(false));
  ASSERT_TRUE(server && client);
  EXPECT_EQ(server->certificates().size(), 2u);
  EXPECT_EQ(server->certificate_sets(), 2u);
  for (const auto& [sni, subject] :
       {std::pair{"www.example.com", "CN=www.example.com"},
        std::pair{"example.com", "CN=example.com"}, std::pair{"", "CN=example.com"}}) {
    auto pair = connect(*server, *client, sni);
    const Outcome outcome = drive_handshake(*pair->client, *pair->server);
    ASSERT_TRUE(outcome.ok()) << sni;
    EXPECT_EQ(pair->client->peer_subject(), subject) << sni;
  }
}

TEST_P(ServerHandshake, DualCertificatesServeWhatTheClientSupports) {
  const auto server = build_server(server_settings({entry(pki().rsa), entry(pki().ecdsa)}));
  const auto client = build_client(client_tls());
  ASSERT_TRUE(server && client);
  const bool tls13 = GetParam() == config::TlsProtocol::tls1_3;
  const struct {
    const char* ciphers;
    const char* sigalgs;
    std::string_view key_type;
  } cases[] = {
      {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDSA+SHA256:ECDSA+SHA384", "ECDSA P-256"},
      {"ECDHE-RSA-AES128-GCM-SHA256", "rsa_pss_rsae_sha256:RSA+SHA256", "RSA 2048"},
  };
  for (const auto& c : cases) {
    auto pair = connect(*server, *client, "www.example.com");
    SSL* ssl = pair->client->native_handle();
    if (tls13) {
      ASSERT_EQ(SSL_set1_sigalgs_list(ssl, c.sigalgs), 1);
    } else {
      ASSERT_EQ(SSL_set_cipher_list(ssl, c.ciphers), 1);
    }
    const Outcome outcome = drive_handshake(*pair->client, *pair->server);
    ASSERT_TRUE(outcome.ok()) << outcome.client.error.message() << " / "
                              << outcome.server.error.message();
    EXPECT_EQ(peer_key_type(*pair->client), c.key_type);
    EXPECT_TRUE(pair->client->peer_verified());
    if (!tls13) {
      EXPECT_EQ(pair->client->cipher(), c.ciphers);
    }
  }
}

TEST_P(ServerHandshake, AlpnPrefersTheServersOrderAndToleratesNoOverlap) {
  const auto server = build_server(server_settings({entry(pki().ecdsa)}), {"h2", "http/1.1"});
  const auto client = build_client(client_tls());
  ASSERT_TRUE(server && client);
  const struct {
    std::string offered;  // wire format
    std::string_view chosen;
  } cases[] = {
      {std::string("\x08http/1.1", 9), "http/1.1"},
      {std::string("\x08http/1.1\x02h2", 12), "h2"},
      {std::string("\x03"
                   "foo",
                   4),
       ""},
  };
  for (const auto& c : cases) {
    auto pair = connect(*server, *client, "example.com");
    SSL_set_alpn_protos(pair->client->native_handle(),
                        reinterpret_cast<const unsigned char*>(c.offered.data()),
                        static_cast<unsigned int>(c.offered.size()));
    const Outcome outcome = drive_handshake(*pair->client, *pair->server);
    ASSERT_TRUE(outcome.ok()) << outcome.server.error.message();
    EXPECT_EQ(pair->server->alpn(), c.chosen);
    EXPECT_EQ(pair->client->alpn(), c.chosen);
  }
}

TEST_P(ServerHandshake, OcspResponseIsStapledForTheChosenCertificate) {
  config::TlsCertificate rsa = entry(pki().rsa);
  rsa.ocsp = pki().rsa_ocsp;
  config::TlsCertificate ecdsa = entry(pki().ecdsa);
  ecdsa.ocsp = pki().ecdsa_ocsp;
  const auto server = build_server(server_settings({rsa, ecdsa}));
  const auto client = build_client(client_tls());
  ASSERT_TRUE(server && client);
  const bool tls13 = GetParam() == config::TlsProtocol::tls1_3;
  for (const bool want_ecdsa : {true, false}) {
    auto pair = connect(*server, *client, "example.com");
    SSL* ssl = pair->client->native_handle();
    SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
    if (tls13) {
      SSL_set1_sigalgs_list(ssl, want_ecdsa ? "ECDSA+SHA256" : "rsa_pss_rsae_sha256");
    } else {
      SSL_set_cipher_list(
          ssl, want_ecdsa ? "ECDHE-ECDSA-AES128-GCM-SHA256" : "ECDHE-RSA-AES128-GCM-SHA256");
    }
    ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
    const unsigned char* stapled = nullptr;
    const long length = SSL_get_tlsext_status_ocsp_resp(ssl, &stapled);
    ASSERT_GT(length, 0);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(stapled), static_cast<std::size_t>(length)),
              read_file(want_ecdsa ? pki().ecdsa_ocsp : pki().rsa_ocsp));
  }
  // A client that does not ask gets no staple.
  auto pair = connect(*server, *client, "example.com");
  ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
  const unsigned char* stapled = nullptr;
  EXPECT_EQ(SSL_get_tlsext_status_ocsp_resp(pair->client->native_handle(), &stapled), -1);
}

TEST_P(ServerHandshake, RequiredClientCertificates) {
  config::Tls tls = server_settings({entry(pki().ecdsa)});
  tls.client_ca = pki().dir / "client_ca.pem";
  tls.verify = config::TlsVerify::required;
  const auto server = build_server(tls);
  config::UpstreamTls with_cert = client_tls();
  with_cert.client_cert = pki().client.cert;
  with_cert.client_key = pki().client.key;
  config::UpstreamTls rogue = client_tls();
  rogue.client_cert = pki().rogue_client.cert;
  rogue.client_key = pki().rogue_client.key;
  const auto good_client = build_client(with_cert);
  const auto rogue_client = build_client(rogue);
  const auto anonymous = build_client(client_tls());
  ASSERT_TRUE(server && good_client && rogue_client && anonymous);

  {
    auto pair = connect(*server, *good_client, "example.com");
    const Outcome outcome = drive_handshake(*pair->client, *pair->server);
    ASSERT_TRUE(outcome.ok()) << outcome.server.error.message();
    EXPECT_TRUE(pair->server->peer_verified());
    EXPECT_EQ(pair->server->peer_subject(), "O=Flotilla Tests,CN=client-1");
  }
  {
    auto pair = connect(*server, *anonymous, "example.com");
    const Outcome outcome = drive_handshake(*pair->client, *pair->server);
    EXPECT_TRUE(outcome.server.error);
    EXPECT_TRUE(is_handshake_error(outcome.server.error));
    EXPECT_EQ(outcome.server.error.message(),
              "handshake failed: peer did not return a certificate");
    // TLS 1.3 clients finish before the server judges them; they learn it on their first read.
    if (outcome.client_ok()) {
      Step last;
      read_exactly(*pair->client, 1, &last);
      EXPECT_TRUE(last.error);
    }
  }
  {
    auto pair = connect(*server, *rogue_client, "example.com");
    const Outcome outcome = drive_handshake(*pair->client, *pair->server);
    EXPECT_TRUE(is_verify_error(outcome.server.error)) << outcome.server.error.message();
    EXPECT_THAT(outcome.server.error.message(),
                HasSubstr("certificate verify failed: unable to get local issuer certificate"));
  }
}

TEST_P(ServerHandshake, OptionalClientCertificates) {
  config::Tls tls = server_settings({entry(pki().ecdsa)});
  tls.client_ca = pki().dir / "client_ca.pem";
  tls.verify = config::TlsVerify::optional;
  const auto server = build_server(tls);
  config::UpstreamTls with_cert = client_tls();
  with_cert.client_cert = pki().client.cert;
  with_cert.client_key = pki().client.key;
  const auto good_client = build_client(with_cert);
  const auto anonymous = build_client(client_tls());
  ASSERT_TRUE(server && good_client && anonymous);
  {
    auto pair = connect(*server, *anonymous, "example.com");
    ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
    write_all(*pair->client, "ping");
    EXPECT_EQ(read_exactly(*pair->server, 4), "ping");
    EXPECT_FALSE(pair->server->peer_verified());
    EXPECT_EQ(pair->server->peer_subject(), "");
  }
  {
    auto pair = connect(*server, *good_client, "example.com");
    ASSERT_TRUE(drive_handshake(*pair->client, *pair->server).ok());
    EXPECT_TRUE(pair->server->peer_verified());
    EXPECT_EQ(pair->server->peer_subject(), "O=Flotilla Tests,CN=client-1");
  }
}

TEST_P(ServerHandshake, GroupsDefaultToX25519P256P384) {
  // RSA: with TLS 1.2 the groups a client lists also limit the curves of ECDSA certificates.
  const auto server = build_server(server_settings({entry(pki().rsa)}));
  const auto client = build_client(client_tls());
  ASSERT_TRUE(server && client);
  const struct {
    const char* offered;
    int negotiated;  // 0: no shared group, the handshake fails
  } cases[] = {{"X25519:P-256:P-384", NID_X25519},
               {"P-384", NID_secp384r1},
               {"P-256", NID_X9_62_prime256v1},
               {"P-521", 0},
               {"X448", 0}};
  for (const auto& c : cases) {
    auto pair = connect(*server, *client, "example.com");
    ASSERT_EQ(SSL_set1_groups_list(pair->client->native_handle(), c.offered), 1);
    const Outcome outcome = drive_handshake(*pair->client, *pair->server);
    if (c.negotiated == 0) {
      EXPECT_TRUE(outcome.server.error) << c.offered;
      continue;
    }
    ASSERT_TRUE(outcome.ok()) << c.offered << ": " << outcome.server.error.message();
    EXPECT_EQ(SSL_get_negotiated_group(pair->server->native_handle()), c.negotiated) << c.offered;
  }
}

TEST_P(ServerHandshake, NoSharedCipherIsReportedWithOpenSslsReason) {
  config::Tls tls = server_settings({entry(pki().ecdsa)});  // ECDSA only
  const auto server = build_server(tls);
  const auto client = build_client(client_tls());
  ASSERT_TRUE(server && client);
  auto pair = connect(*server, *client, "example.com");
  SSL* ssl = pair->client->native_handle();
  if (GetParam() == config::TlsProtocol::tls1_3) {
    SSL_set1_sigalgs_list(ssl, "rsa_pss_rsae_sha256");
  } else {
    SSL_set_cipher_list(ssl, "ECDHE-RSA-AES128-GCM-SHA256");
  }
  const Outcome outcome = drive_handshake(*pair->client, *pair->server);
  EXPECT_TRUE(is_handshake_error(outcome.server.error));
  EXPECT_TRUE(is_handshake_error(outcome.client.error));
  if (GetParam() == config::TlsProtocol::tls1_2) {
    EXPECT_EQ(outcome.server.error.message(), "handshake failed: no shared cipher");
  }
}

}  // namespace
}  // namespace flotilla::tls
