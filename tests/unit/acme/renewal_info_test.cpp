// ARI (RFC 9773): the certificate ID from the AKI and serial (the RFC's own example), RFC 3339
// times, the suggested window, and a renewal moment inside it.
#include "acme/renewal_info.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "acme/certificates.hpp"

namespace flotilla::acme {
namespace {

using namespace std::chrono_literals;

// RFC 9773 Appendix A's example: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:
// DE:01:C8:D4 and serial 0x87654321 (DER content 00 87 65 43 21) give
// "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".
std::string example_certificate(bool with_aki) {
  tls::EvpPkeyPtr key = new_certificate_key();
  tls::X509Ptr cert = self_signed(key.get(), {"example.com"}, 24h, "example.com");
  BIGNUM* number = nullptr;
  BN_hex2bn(&number, "87654321");
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get()));
  BN_free(number);
  const int existing = X509_get_ext_by_NID(cert.get(), NID_authority_key_identifier, -1);
  if (existing >= 0) X509_EXTENSION_free(X509_delete_ext(cert.get(), existing));
  if (with_aki) {
    const unsigned char id[] = {0x69, 0x88, 0x5B, 0x6B, 0x87, 0x46, 0x40, 0x41, 0xE1, 0xB3,
                                0x7B, 0x84, 0x7B, 0xA0, 0xAE, 0x2C, 0xDE, 0x01, 0xC8, 0xD4};
    AUTHORITY_KEYID* aki = AUTHORITY_KEYID_new();
    aki->keyid = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(aki->keyid, id, sizeof id);
    X509_add1_ext_i2d(cert.get(), NID_authority_key_identifier, aki, 0, X509V3_ADD_DEFAULT);
    AUTHORITY_KEYID_free(aki);
  }
  X509_sign(cert.get(), key.get(), EVP_sha256());
  return certificate_pem(cert.get());
}

TEST(AcmeRenewalInfo, CertificateIdIsAkiDotSerial) {
  EXPECT_EQ(renewal_cert_id(example_certificate(true)),
            std::optional<std::string>("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"));
  EXPECT_FALSE(renewal_cert_id(example_certificate(false)));  // no AKI: nothing to ask about
  EXPECT_FALSE(renewal_cert_id("not a certificate"));
}

TEST(AcmeRenewalInfo, Rfc3339Times) {
  const auto epoch = std::chrono::system_clock::from_time_t(0);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), epoch);
  EXPECT_EQ(parse_rfc3339("1970-01-01T01:00:00+01:00"), epoch);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:30:00-00:30"), epoch);
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:01.5Z"), epoch + 1500ms);
  EXPECT_EQ(parse_rfc3339("2025-01-02T04:00:00Z"),
            std::chrono::system_clock::from_time_t(1735790400));
  EXPECT_FALSE(parse_rfc3339("2025-01-02 04:00"));
  EXPECT_FALSE(parse_rfc3339("2025-01-02T04:00:00"));    // no zone
  EXPECT_FALSE(parse_rfc3339("2025-13-02T04:00:00Z"));   // month 13
  EXPECT_FALSE(parse_rfc3339("2025-01-02T04:00:00.Z"));  // empty fraction
}

TEST(AcmeRenewalInfo, SuggestedWindow) {
  const auto window = parse_renewal_info(
      R"({"suggestedWindow":{"start":"2025-01-02T04:00:00Z","end":"2025-01-03T04:00:00Z"},)"
      R"("explanationURL":"https://acme.example.com/docs/ari"})");
  ASSERT_TRUE(window);
  EXPECT_EQ(window->start, std::chrono::system_clock::from_time_t(1735790400));
  EXPECT_EQ(window->end - window->start, 24h);
  EXPECT_FALSE(parse_renewal_info(R"({"suggestedWindow":{"start":"2025-01-03T04:00:00Z",)"
                                  R"("end":"2025-01-02T04:00:00Z"}})"));  // ends before it starts
  EXPECT_FALSE(parse_renewal_info(R"({"suggestedWindow":{"start":"2025-01-02T04:00:00Z"}})"));
  EXPECT_FALSE(parse_renewal_info(R"({})"));
  EXPECT_FALSE(parse_renewal_info("<html>"));
}

TEST(AcmeRenewalInfo, RenewalMomentIsInsideTheWindowOrNowOnceItEnded) {
  const auto start = std::chrono::system_clock::from_time_t(1735790400);
  const RenewalWindow window{start, start + 10h};
  const auto before = start - 1h;
  EXPECT_EQ(renewal_moment(window, 0.0, before), start);
  EXPECT_EQ(renewal_moment(window, 0.5, before), start + 5h);
  EXPECT_LT(renewal_moment(window, 0.999999999, before), window.end);
  EXPECT_GE(renewal_moment(window, 0.999999999, before), start + 9h);
  EXPECT_EQ(renewal_moment(window, 0.1, start + 5h), start + 5h);    // the picked moment passed
  EXPECT_EQ(renewal_moment(window, 0.5, start + 11h), start + 11h);  // the window ended
}

}  // namespace
}  // namespace flotilla::acme
