// Local X.509 for ACME: the CSR names every domain and is signed by the key; the temporary
// certificate is self-signed for the domains; the TLS-ALPN-01 certificate carries the critical
// acmeIdentifier extension with SHA-256 of the key authorization (RFC 8737 §3).
#include "acme/certificates.hpp"

#include <cstring>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace flotilla::acme {
namespace {

TEST(AcmeCertificates, TheCsrCarriesEveryDomainAndVerifies) {
  tls::EvpPkeyPtr key = new_certificate_key();
  const std::string der = make_csr(key.get(), {"a.test", "b.test"});
  ASSERT_FALSE(der.empty());
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509_REQ* request = d2i_X509_REQ(nullptr, &cursor, static_cast<long>(der.size()));
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(X509_REQ_verify(request, key.get()), 1);
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request);
  ASSERT_NE(extensions, nullptr);
  auto* names = static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(extensions, NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  EXPECT_EQ(sk_GENERAL_NAME_num(names), 2);
  GENERAL_NAMES_free(names);
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  X509_REQ_free(request);
}

TEST(AcmeCertificates, TheTemporaryCertificateIsSelfSignedForTheDomains) {
  tls::EvpPkeyPtr key = new_certificate_key();
  tls::X509Ptr cert = self_signed(key.get(), {"a.test"}, std::chrono::hours(24), "temp");
  const auto leaf = read_leaf(certificate_pem(cert.get()));
  ASSERT_TRUE(leaf);
  EXPECT_TRUE(leaf->self_signed);
  EXPECT_EQ(leaf->names, std::vector<std::string>{"a.test"});
  EXPECT_GT(leaf->not_after, std::chrono::system_clock::now());
  EXPECT_FALSE(read_leaf("garbage"));
}

TEST(AcmeCertificates, TheTlsAlpnCertificateHoldsTheKeyAuthorizationDigest) {
  tls::EvpPkeyPtr key = new_certificate_key();
  tls::X509Ptr cert = tls_alpn_certificate(key.get(), "a.test", "token.thumb");
  ASN1_OBJECT* oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1);
  const int at = X509_get_ext_by_OBJ(cert.get(), oid, -1);
  ASN1_OBJECT_free(oid);
  ASSERT_GE(at, 0);
  X509_EXTENSION* extension = X509_get_ext(cert.get(), at);
  EXPECT_EQ(X509_EXTENSION_get_critical(extension), 1);
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(extension);
  const unsigned char* cursor = ASN1_STRING_get0_data(value);
  ASN1_OCTET_STRING* inner = d2i_ASN1_OCTET_STRING(nullptr, &cursor, ASN1_STRING_length(value));
  ASSERT_NE(inner, nullptr);
  unsigned char digest[32];
  unsigned int length = 0;
  const std::string authorization = "token.thumb";
  EVP_Digest(authorization.data(), authorization.size(), digest, &length, EVP_sha256(), nullptr);
  ASSERT_EQ(ASN1_STRING_length(inner), 32);
  EXPECT_EQ(std::memcmp(ASN1_STRING_get0_data(inner), digest, 32), 0);
  ASN1_OCTET_STRING_free(inner);
}

}  // namespace
}  // namespace flotilla::acme
