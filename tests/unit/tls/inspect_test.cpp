#include "tls/inspect.hpp"

#include <gtest/gtest.h>

#include "tls_test_support.hpp"

namespace flotilla::tls {
namespace {

using namespace testing;
using std::chrono::hours;
using ::testing::HasSubstr;

std::vector<std::string> lines(const std::vector<CertificateProblem>& problems) {
  std::vector<std::string> out;
  for (const CertificateProblem& p : problems) {
    out.push_back(std::to_string(p.pos.line) + ":" + std::to_string(p.pos.column) + ": " +
                  (p.warning ? "warning: " : "") + p.message);
  }
  return out;
}

config::Spec spec_with(config::Tls tls) {
  config::Spec spec;
  config::Listener listener;
  listener.tls = std::move(tls);
  spec.listeners.push_back(std::move(listener));
  return spec;
}

TEST(Inspect, AGoodListenerHasNoProblems) {
  const auto now = std::chrono::system_clock::now();
  config::TlsCertificate rsa = entry(pki().rsa, 5);
  rsa.ocsp = pki().rsa_ocsp;
  EXPECT_TRUE(
      inspect(spec_with(server_settings({rsa, entry(pki().ecdsa, 6), entry(pki().chain, 7)})), now)
          .empty());
}

TEST(Inspect, WarnsAboutCertificatesExpiringWithin30Days) {
  const auto now = std::chrono::system_clock::now();
  const auto problems =
      inspect(spec_with(server_settings({entry(pki().ecdsa, 5), entry(pki().soon, 8)})), now);
  ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(lines(problems));
  EXPECT_TRUE(problems[0].warning);
  EXPECT_EQ(problems[0].pos, (config::SourcePos{8, 7}));
  EXPECT_THAT(problems[0].message,
              HasSubstr("certificate " + pki().soon.cert.string() + " expires in 10 days, on "));
}

TEST(Inspect, IsPureOfNow) {
  const auto now = std::chrono::system_clock::now();
  const auto spec = spec_with(server_settings({entry(pki().ecdsa, 5)}));
  EXPECT_TRUE(inspect(spec, now).empty());
  const auto later = inspect(spec, now + hours(24 * 350));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_TRUE(later[0].warning);
  EXPECT_THAT(later[0].message, HasSubstr("expires in 15 days"));
  const auto too_late = inspect(spec, now + hours(24 * 400));
  ASSERT_EQ(too_late.size(), 1u);
  EXPECT_FALSE(too_late[0].warning);
  EXPECT_THAT(too_late[0].message, HasSubstr(" expired on "));
  const auto hours_left = inspect(spec, now + hours(24 * 365 - 5));
  ASSERT_EQ(hours_left.size(), 1u);
  EXPECT_THAT(hours_left[0].message, HasSubstr("expires in 5 hours"));
}

TEST(Inspect, ErrorsAtTheirEntries) {
  const auto now = std::chrono::system_clock::now();
  config::TlsCertificate mismatch = entry(pki().rsa, 9);
  mismatch.key = pki().ecdsa.key;
  config::TlsCertificate bad_ocsp = entry(pki().ecdsa, 10);
  bad_ocsp.ocsp = pki().not_der;
  config::Tls tls = server_settings({entry(pki().expired, 5), entry(pki().future, 6),
                                     entry(pki().unordered_chain, 7), mismatch, bad_ocsp});
  tls.client_ca = pki().dir / "missing-ca.pem";
  tls.verify = config::TlsVerify::required;
  tls.groups = {"nope"};
  EXPECT_EQ(
      lines(inspect(spec_with(tls), now)),
      (std::vector<std::string>{
          "3:5: groups: unknown key exchange group in \"nope\"",
          "3:5: cannot read client_ca " + (pki().dir / "missing-ca.pem").string() +
              ": No such file or directory",
          "5:7: certificate " + pki().expired.cert.string() + " expired on " +
              format_utc(
                  describe_certificate(
                      X509Ptr(PEM_read_bio_X509(
                                  BioPtr(BIO_new_file(pki().expired.cert.c_str(), "r")).get(),
                                  nullptr, nullptr, nullptr))
                          .get(),
                      "")
                      .not_after),
          "6:7: certificate " + pki().future.cert.string() + " is not valid before " +
              format_utc(describe_certificate(
                             X509Ptr(PEM_read_bio_X509(
                                         BioPtr(BIO_new_file(pki().future.cert.c_str(), "r")).get(),
                                         nullptr, nullptr, nullptr))
                                 .get(),
                             "")
                             .not_before),
          "7:7: certificate chain in " + pki().unordered_chain.cert.string() +
              " is out of order: certificate 2 did not issue certificate 1 (each "
              "certificate must be followed by its issuer)",
          "9:7: key " + pki().ecdsa.key.string() + " does not match certificate " +
              pki().rsa.cert.string(),
          "10:7: OCSP response " + pki().not_der.string() + " is not a DER OCSPResponse",
      }));
}

TEST(Inspect, DuplicateKeyTypesForOneNameSet) {
  const auto problems = inspect(
      spec_with(
          server_settings({entry(pki().ecdsa, 5), entry(pki().rsa, 6), entry(pki().ecdsa, 7)})),
      std::chrono::system_clock::now());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pos.line, 7);
  EXPECT_THAT(problems[0].message,
              HasSubstr("same names and key type (ECDSA P-256) as certificates[0]"));
}

TEST(Inspect, IntermediatesExpiringSoonAreWarnedAbout) {
  // The chain's intermediate is valid for a year like the leaf; a year on, both expire.
  const auto problems = inspect(spec_with(server_settings({entry(pki().chain, 5)})),
                                std::chrono::system_clock::now() + hours(24 * 360));
  EXPECT_EQ(problems.size(), 2u) << ::testing::PrintToString(lines(problems));
  for (const auto& problem : problems) EXPECT_TRUE(problem.warning);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[1].message,
              HasSubstr("intermediate certificate 2 (CN=Flotilla Test Intermediate) in " +
                        pki().chain.cert.string() + " expires in"));
}

TEST(Inspect, UpstreamTls) {
  config::Spec spec;
  config::Upstream good;
  good.tls = client_settings();
  good.tls->pos = {20, 5};
  good.tls->client_cert = pki().soon.cert;
  good.tls->client_key = pki().soon.key;
  config::Upstream bad;
  bad.tls = client_settings();
  bad.tls->pos = {30, 5};
  bad.tls->ca = pki().not_pem;
  bad.tls->client_cert = pki().client.cert;
  spec.upstreams = {good, bad};
  EXPECT_EQ(lines(inspect(spec, std::chrono::system_clock::now())).size(), 3u);
  const auto problems = inspect(spec, std::chrono::system_clock::now());
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_TRUE(problems[0].warning);
  EXPECT_EQ(problems[0].pos.line, 20);
  EXPECT_THAT(problems[0].message, HasSubstr("expires in 10 days"));
  EXPECT_EQ(problems[1].pos.line, 30);
  EXPECT_EQ(problems[1].message, "no PEM certificate in ca " + pki().not_pem.string());
  EXPECT_EQ(problems[2].message, "client_cert and client_key go together");
}

}  // namespace
}  // namespace flotilla::tls
