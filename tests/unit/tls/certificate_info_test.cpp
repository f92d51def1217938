#include "tls/certificate_info.hpp"

#include <gtest/gtest.h>

#include "tls_test_support.hpp"

namespace flotilla::tls {
namespace {

using namespace testing;

TEST(CertificateInfo, DescribesAnEcdsaLeaf) {
  const CertificateInfo info = describe_certificate(pki().ecdsa_leaf.get(), "/x/ecdsa.pem");
  EXPECT_EQ(info.cert_path, "/x/ecdsa.pem");
  EXPECT_EQ(info.names, (std::vector<std::string>{"example.com", "www.example.com"}));
  EXPECT_EQ(info.subject, "CN=example.com");
  EXPECT_EQ(info.key_type, "ECDSA P-256");
  const auto now = std::chrono::system_clock::now();
  EXPECT_LT(info.not_before, now);
  EXPECT_GT(info.not_after, now + std::chrono::hours(24 * 360));
  EXPECT_LT(info.not_after, now + std::chrono::hours(24 * 366));
}

TEST(CertificateInfo, DescribesAnRsaLeaf) {
  const CertificateInfo info = describe_certificate(pki().rsa_leaf.get(), "/x/rsa.pem");
  EXPECT_EQ(info.key_type, "RSA 2048");
}

TEST(CertificateInfo, FallsBackToTheCommonNameWithoutDnsSans) {
  EvpPkeyPtr key = ecdsa_key();
  X509Ptr cert = make_certificate(CertSpec("Legacy.Example"), key.get());
  EXPECT_EQ(describe_certificate(cert.get(), "c.pem").names,
            (std::vector<std::string>{"legacy.example"}));
}

TEST(CertificateInfo, SubjectIsOneRfc2253Line) {
  EvpPkeyPtr key = ecdsa_key();
  X509Ptr cert = make_certificate(CertSpec("client-1").org("Flotilla, Inc"), key.get());
  EXPECT_EQ(one_line_name(X509_get_subject_name(cert.get())), "O=Flotilla\\, Inc,CN=client-1");
}

TEST(CertificateInfo, FormatsUtc) {
  EXPECT_EQ(format_utc(std::chrono::system_clock::from_time_t(1700000000)),
            "2023-11-14 22:13:20 UTC");
}

}  // namespace
}  // namespace flotilla::tls
