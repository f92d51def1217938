#include "tls/context_settings.hpp"

#include <gtest/gtest.h>

#include "tls/openssl_handles.hpp"

namespace flotilla::tls {
namespace {

TEST(ContextSettings, DefaultsAreUsable) {
  EXPECT_EQ(cipher_settings_problem(config::Tls{}), "");
}

TEST(ContextSettings, ProblemsNameTheSetting) {
  config::Tls tls;
  tls.ciphers = "AES128-SHA";  // fine for TLS 1.2 (no forward secrecy, but the user asked)
  EXPECT_EQ(cipher_settings_problem(tls), "");
  tls.ciphers = "!ALL";
  EXPECT_EQ(cipher_settings_problem(tls), "ciphers: no usable TLS 1.2 cipher in \"!ALL\"");
  tls.ciphers.clear();
  tls.ciphersuites = "TLS_AES_256_GCM_SHA384:TLS_AES_512";
  EXPECT_EQ(cipher_settings_problem(tls),
            "ciphersuites: unknown TLS 1.3 cipher suite \"TLS_AES_512\"");
  tls.ciphersuites.clear();
  tls.groups = {"X25519", "brainpoolP999"};
  EXPECT_EQ(cipher_settings_problem(tls),
            "groups: unknown key exchange group in \"X25519:brainpoolP999\"");
}

TEST(ContextSettings, ATls13OnlyListenerNeedsNoTls12Cipher) {
  config::Tls tls;
  tls.protocols = {config::TlsProtocol::tls1_3};
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  std::string error;
  EXPECT_TRUE(apply_protocols(context.get(), tls.protocols, error)) << error;
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context.get()), TLS1_3_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(context.get()), TLS1_3_VERSION);
}

}  // namespace
}  // namespace flotilla::tls
