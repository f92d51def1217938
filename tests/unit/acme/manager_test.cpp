// When the manager acts: renewal with a third of the lifetime left, exponential back-off with
// at most 20 % jitter off, capped at 6 h, never sooner than the server's Retry-After; and the
// temporary certificate written once, with private modes, where none is stored.
#include "acme/manager.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "acme/certificates.hpp"
#include "acme/store.hpp"

namespace flotilla::acme {
namespace {

using namespace std::chrono_literals;

TEST(AcmeManager, RenewalStartsWithAThirdOfTheLifetimeLeft) {
  const auto start = std::chrono::system_clock::time_point{} + 1000h;
  EXPECT_EQ(renewal_time(start, start + 90 * 24h), start + 60 * 24h);
}

TEST(AcmeManager, RetriesBackOffWithJitterAndHonourRetryAfter) {
  EXPECT_EQ(retry_delay(60s, 1, 0.0, 0s), 60s);
  EXPECT_EQ(retry_delay(60s, 2, 0.0, 0s), 120s);
  EXPECT_EQ(retry_delay(60s, 4, 0.0, 0s), 480s);
  EXPECT_EQ(retry_delay(60s, 3, 0.999999, 0s).count() / 1000, 192);  // 240 s less ~20 %
  EXPECT_EQ(retry_delay(60s, 40, 0.0, 0s), std::chrono::milliseconds(6h));
  EXPECT_EQ(retry_delay(1s, 1, 0.5, 300s), std::chrono::milliseconds(300s));
}

TEST(AcmeManager, ATemporaryCertificateIsWrittenOncePrivately) {
  char pattern[] = "/tmp/flotilla-acme-test-XXXXXX";
  const std::filesystem::path state = mkdtemp(pattern);
  config::TlsCertificate files;
  files.cert = state / "acme" / "certificates" / "a.test" / "fullchain.pem";
  files.key = state / "acme" / "certificates" / "a.test" / "key.pem";
  std::string error;
  std::filesystem::path from;
  EXPECT_EQ(prepare_certificate(state, "a.test", files, from, error), Prepared::kTemporary)
      << error;
  struct stat info {};
  ASSERT_EQ(::stat(files.key.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((state / "acme").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(files.cert.parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  const auto leaf = read_leaf(*read_text(files.cert));
  ASSERT_TRUE(leaf);
  EXPECT_TRUE(leaf->self_signed);
  EXPECT_EQ(prepare_certificate(state, "a.test", files, from, error), Prepared::kPresent)
      << error;  // kept
  EXPECT_TRUE(error.empty()) << error;
  std::filesystem::remove_all(state);
}

// A certificate from when one order covered several domains (stored under the first) is copied
// to each other domain it covers instead of a temporary one; one that does not cover it is not.
TEST(AcmeManager, AnOlderMultiDomainCertificateIsAdoptedPerDomain) {
  char pattern[] = "/tmp/flotilla-acme-test-XXXXXX";
  const std::filesystem::path state = mkdtemp(pattern);
  const std::filesystem::path certificates = state / "acme" / "certificates";
  std::string error;
  ASSERT_TRUE(make_private_dirs(state / "acme", certificates / "a.test", error)) << error;
  tls::EvpPkeyPtr key = new_certificate_key();
  // Not self-signed as far as read_leaf can tell: another issuer name than the subject.
  tls::X509Ptr cert = self_signed(key.get(), {"a.test", "b.test"}, 24h * 30, "issuer");
  X509_NAME* issuer = X509_NAME_new();
  X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Some CA"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer);
  X509_NAME_free(issuer);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  ASSERT_TRUE(write_file_atomically(certificates / "a.test" / "fullchain.pem",
                                    certificate_pem(cert.get()), 0600, error));
  ASSERT_TRUE(
      write_file_atomically(certificates / "a.test" / "key.pem", key_pem(key.get()), 0600, error));
  const auto files_for = [&](const std::string& domain) {
    config::TlsCertificate files;
    files.cert = certificates / domain / "fullchain.pem";
    files.key = certificates / domain / "key.pem";
    return files;
  };
  std::filesystem::path from;
  EXPECT_EQ(prepare_certificate(state, "a.test", files_for("a.test"), from, error),
            Prepared::kPresent);
  EXPECT_EQ(prepare_certificate(state, "b.test", files_for("b.test"), from, error),
            Prepared::kAdopted)
      << error;
  EXPECT_EQ(from, certificates / "a.test");
  EXPECT_EQ(read_text(files_for("b.test").cert), read_text(files_for("a.test").cert));
  struct stat info {};
  ASSERT_EQ(::stat(files_for("b.test").key.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(prepare_certificate(state, "c.test", files_for("c.test"), from, error),
            Prepared::kTemporary)
      << error;
  const auto leaf = read_leaf(*read_text(files_for("c.test").cert));
  ASSERT_TRUE(leaf);
  EXPECT_TRUE(leaf->self_signed);
  EXPECT_EQ(leaf->names, std::vector<std::string>{"c.test"});
  std::filesystem::remove_all(state);
}

TEST(AcmeManager, RenewalInformationIsAskedAgainAfterRetryAfterElseSixHours) {
  EXPECT_EQ(renewal_info_recheck(0s), 6h);
  EXPECT_EQ(renewal_info_recheck(120s), 120s);
  EXPECT_EQ(renewal_info_recheck(72h), 24h);
}

TEST(AcmeManager, AccountKeysAreKeptPerDirectoryHost) {
  EXPECT_EQ(account_key_path("/s", "https://acme-v02.api.letsencrypt.org/directory"),
            std::filesystem::path("/s/acme/accounts/acme-v02.api.letsencrypt.org/account.key"));
  EXPECT_EQ(account_key_path("/s", "https://localhost:14000/dir"),
            std::filesystem::path("/s/acme/accounts/localhost_14000/account.key"));
}

}  // namespace
}  // namespace flotilla::acme
