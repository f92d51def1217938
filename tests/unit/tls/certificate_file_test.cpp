#include "tls/certificate_file.hpp"

#include <gtest/gtest.h>

#include "tls_test_support.hpp"

namespace flotilla::tls {
namespace {

using namespace testing;
using ::testing::HasSubstr;

TEST(CertificateFile, LoadsAChainWithItsKey) {
  std::string error;
  const auto loaded = load_certificate(pki().chain.cert, pki().chain.key, error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(loaded->chain.size(), 1u);
  EXPECT_EQ(loaded->info.names, std::vector<std::string>{"chain.test"});
  EXPECT_EQ(chain_order_problem(*loaded), "");
  EXPECT_EQ(validity_problem(*loaded, std::chrono::system_clock::now()), "");
}

TEST(CertificateFile, UnreadableFilesAreNamed) {
  std::string error;
  EXPECT_FALSE(load_certificate(pki().dir / "missing.pem", pki().rsa.key, error));
  EXPECT_EQ(error, "cannot read certificate " + (pki().dir / "missing.pem").string() +
                       ": No such file or directory");
  EXPECT_FALSE(load_certificate(pki().rsa.cert, pki().dir, error));
  EXPECT_EQ(error, "cannot read key " + pki().dir.string() + ": Is a directory");
}

TEST(CertificateFile, NotPemIsAnError) {
  std::string error;
  EXPECT_FALSE(load_certificate(pki().not_pem, pki().rsa.key, error));
  EXPECT_EQ(error, "no PEM certificate in " + pki().not_pem.string());
  EXPECT_FALSE(load_certificate(pki().rsa.cert, pki().not_pem, error));
  EXPECT_THAT(error, HasSubstr("no PEM private key in " + pki().not_pem.string()));
}

TEST(CertificateFile, KeyMismatchNamesBothFiles) {
  std::string error;
  EXPECT_FALSE(load_certificate(pki().rsa.cert, pki().ecdsa.key, error));
  EXPECT_EQ(error, "key " + pki().ecdsa.key.string() + " does not match certificate " +
                       pki().rsa.cert.string());
}

TEST(CertificateFile, LeafAfterItsIssuerIsCalledOut) {
  std::string error;
  EXPECT_FALSE(load_certificate(pki().reversed_chain.cert, pki().reversed_chain.key, error));
  EXPECT_THAT(error, HasSubstr("matches certificate 2 of " + pki().reversed_chain.cert.string()));
  EXPECT_THAT(error, HasSubstr("must come first"));
}

TEST(CertificateFile, ChainOutOfOrder) {
  std::string error;
  const auto loaded =
      load_certificate(pki().unordered_chain.cert, pki().unordered_chain.key, error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(chain_order_problem(*loaded),
            "certificate chain in " + pki().unordered_chain.cert.string() +
                " is out of order: certificate 2 did not issue certificate 1 (each certificate "
                "must be followed by its issuer)");
}

TEST(CertificateFile, EncryptedKeysAreRefused) {
  const auto path = pki().dir / "encrypted.key";
  {
    BioPtr bio(BIO_new_file(path.c_str(), "w"));
    char passphrase[] = "secret";
    PEM_write_bio_PrivateKey(bio.get(), pki().ecdsa_leaf_key.get(), EVP_aes_256_cbc(),
                             reinterpret_cast<unsigned char*>(passphrase), 6, nullptr, nullptr);
  }
  std::string error;
  EXPECT_FALSE(load_certificate(pki().ecdsa.cert, path, error));
  EXPECT_EQ(error, "key " + path.string() + " is encrypted; flotilla needs it unencrypted");
}

TEST(CertificateFile, ValidityIsJudgedAtTheGivenTime) {
  std::string error;
  const auto expired = load_certificate(pki().expired.cert, pki().expired.key, error);
  ASSERT_TRUE(expired) << error;
  const auto now = std::chrono::system_clock::now();
  EXPECT_THAT(validity_problem(*expired, now),
              HasSubstr("certificate " + pki().expired.cert.string() + " expired on "));
  EXPECT_EQ(validity_problem(*expired, now - std::chrono::hours(24 * 10)), "");
  const auto future = load_certificate(pki().future.cert, pki().future.key, error);
  ASSERT_TRUE(future) << error;
  EXPECT_THAT(validity_problem(*future, now),
              HasSubstr("certificate " + pki().future.cert.string() + " is not valid before "));
}

TEST(CertificateFile, CaBundles) {
  std::string error;
  const auto bundle = load_ca_bundle(pki().dir / "ca.pem", "client_ca", error);
  ASSERT_TRUE(bundle) << error;
  EXPECT_EQ(bundle->size(), 1u);
  EXPECT_FALSE(load_ca_bundle(pki().not_pem, "client_ca", error));
  EXPECT_EQ(error, "no PEM certificate in client_ca " + pki().not_pem.string());
}

}  // namespace
}  // namespace flotilla::tls
