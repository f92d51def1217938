#include "tls/ocsp_staple.hpp"

#include <gtest/gtest.h>

#include "tls_test_support.hpp"

namespace flotilla::tls {
namespace {

using namespace testing;
using ::testing::HasSubstr;

TEST(OcspStaple, LoadsAGoodResponseAboutTheCertificate) {
  std::string error;
  const auto staple = load_ocsp_staple(pki().rsa_ocsp, pki().rsa_leaf.get(), error);
  ASSERT_TRUE(staple) << error;
  EXPECT_EQ(staple->der, read_file(pki().rsa_ocsp));
  ASSERT_TRUE(staple->next_update);
  const auto in_a_week = std::chrono::system_clock::now() + std::chrono::hours(24 * 7);
  EXPECT_LT(*staple->next_update - in_a_week, std::chrono::minutes(1));
  EXPECT_GT(*staple->next_update - in_a_week, -std::chrono::minutes(1));
}

TEST(OcspStaple, RefusesResponsesAboutAnotherCertificate) {
  std::string error;
  EXPECT_FALSE(load_ocsp_staple(pki().rsa_ocsp, pki().ecdsa_leaf.get(), error));
  EXPECT_EQ(error, "OCSP response " + pki().rsa_ocsp.string() +
                       " has no status for this certificate (serial number)");
}

TEST(OcspStaple, RefusesRevokedAndUnsuccessfulResponses) {
  const auto revoked = pki().dir / "revoked.der";
  write_file(revoked, make_ocsp_response(pki().rsa_leaf.get(), pki().ca.get(), pki().ca_key.get(),
                                         V_OCSP_CERTSTATUS_REVOKED));
  std::string error;
  EXPECT_FALSE(load_ocsp_staple(revoked, pki().rsa_leaf.get(), error));
  EXPECT_EQ(error, "OCSP response " + revoked.string() + " says the certificate is revoked");

  const auto unauthorized = pki().dir / "unauthorized.der";
  write_file(unauthorized,
             make_ocsp_response(pki().rsa_leaf.get(), pki().ca.get(), pki().ca_key.get(),
                                V_OCSP_CERTSTATUS_GOOD, OCSP_RESPONSE_STATUS_UNAUTHORIZED));
  EXPECT_FALSE(load_ocsp_staple(unauthorized, pki().rsa_leaf.get(), error));
  EXPECT_EQ(error, "OCSP response " + unauthorized.string() + " is not successful (unauthorized)");
}

TEST(OcspStaple, RefusesGarbageAndMissingFiles) {
  std::string error;
  EXPECT_FALSE(load_ocsp_staple(pki().not_der, pki().rsa_leaf.get(), error));
  EXPECT_EQ(error, "OCSP response " + pki().not_der.string() + " is not a DER OCSPResponse");
  EXPECT_FALSE(load_ocsp_staple(pki().dir / "none.der", pki().rsa_leaf.get(), error));
  EXPECT_THAT(error, HasSubstr("cannot read OCSP response"));
}

}  // namespace
}  // namespace flotilla::tls
