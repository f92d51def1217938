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
  config::Acme acme;
  acme.domains = {"a.test"};
  config::TlsCertificate files;
  files.cert = state / "acme" / "certificates" / "a.test" / "fullchain.pem";
  files.key = state / "acme" / "certificates" / "a.test" / "key.pem";
  std::string error;
  EXPECT_TRUE(ensure_temporary_certificate(state, acme, files, error)) << error;
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
  EXPECT_FALSE(ensure_temporary_certificate(state, acme, files, error)) << error;  // kept
  EXPECT_TRUE(error.empty()) << error;
  std::filesystem::remove_all(state);
}

TEST(AcmeManager, AccountKeysAreKeptPerDirectoryHost) {
  EXPECT_EQ(account_key_path("/s", "https://acme-v02.api.letsencrypt.org/directory"),
            std::filesystem::path("/s/acme/accounts/acme-v02.api.letsencrypt.org/account.key"));
  EXPECT_EQ(account_key_path("/s", "https://localhost:14000/dir"),
            std::filesystem::path("/s/acme/accounts/localhost_14000/account.key"));
}

}  // namespace
}  // namespace flotilla::acme
