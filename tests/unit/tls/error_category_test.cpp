#include "tls/error_category.hpp"

#include <cerrno>

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace flotilla::tls {
namespace {

TEST(ErrorCategory, OpenSslReasonsBecomeMessages) {
  const std::error_code error = openssl_error(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_NO_SHARED_CIPHER));
  EXPECT_EQ(error.category(), category());
  EXPECT_EQ(error.message(), "no shared cipher");
  EXPECT_FALSE(is_handshake_error(error));
}

TEST(ErrorCategory, HandshakeErrorsSaySo) {
  const std::error_code error =
      openssl_error(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_NO_SHARED_CIPHER), true);
  EXPECT_EQ(error.message(), "handshake failed: no shared cipher");
  EXPECT_TRUE(is_handshake_error(error));
  EXPECT_FALSE(is_verify_error(error));
}

TEST(ErrorCategory, VerifyResultsCarryX509Reasons) {
  const std::error_code error = verify_error(X509_V_ERR_HOSTNAME_MISMATCH, true);
  EXPECT_EQ(error.message(), "handshake failed: certificate verify failed: hostname mismatch");
  EXPECT_TRUE(is_verify_error(error));
  EXPECT_EQ(verify_error(X509_V_ERR_CERT_HAS_EXPIRED).message(),
            "certificate verify failed: certificate has expired");
}

TEST(ErrorCategory, SystemErrorsInOpenSslsQueueMapToErrno) {
  ERR_clear_error();
  ERR_raise(ERR_LIB_SYS, ECONNRESET);
  const std::error_code error = openssl_error(ERR_get_error());
  EXPECT_EQ(error, std::error_code(ECONNRESET, std::system_category()));
}

TEST(ErrorCategory, FlotillaReasons) {
  const std::error_code eof = make_error_code(Errc::kUnexpectedEof, true);
  EXPECT_EQ(eof.message(), "handshake failed: connection closed by the peer");
  const std::error_code implicit = Errc::kNoHandshake;
  EXPECT_EQ(implicit.message(), "no established TLS session");
  EXPECT_EQ(implicit.category().name(), std::string("tls"));
}

TEST(ErrorCategory, DrainJoinsAndClearsTheQueue) {
  ERR_clear_error();
  EXPECT_EQ(drain_openssl_errors(), "");
  ERR_raise(ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER);
  ERR_raise(ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH);
  EXPECT_EQ(drain_openssl_errors(), "no shared cipher; key values mismatch");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace flotilla::tls
