// `acme:` at the top level and under a listener's tls: defaults merged into each listener, the
// certificate paths under state_dir, and FILE:LINE:COL errors for what cannot work.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

TEST(ParseAcme, AListenerTakesTheTopLevelDefaultsAndGetsPathsUnderStateDir) {
  const Spec spec = load_ok(R"(acme:
  email: ops@example.com
  directory: https://localhost:14000/dir
  ca_root: pebble.pem
listen:
  - address: "0.0.0.0:80"
  - address: "0.0.0.0:443"
    tls:
      acme: { domains: [Example.com, www.example.com] }
)");
  const Tls& tls = *spec.listeners.at(1).tls;
  ASSERT_TRUE(tls.acme);
  EXPECT_EQ(tls.acme->email, "ops@example.com");
  EXPECT_EQ(tls.acme->domains, (Lines{"example.com", "www.example.com"}));
  EXPECT_EQ(tls.acme->directory, "https://localhost:14000/dir");
  EXPECT_EQ(tls.acme->ca_root, std::filesystem::path("/srv/app/pebble.pem"));
  EXPECT_EQ(tls.acme->challenge, AcmeChallenge::http_01);
  EXPECT_EQ(tls.acme->retry_initial, Duration(60s));
  // One certificate per domain, the first the listener's default.
  ASSERT_EQ(tls.certificates.size(), 2u);
  EXPECT_EQ(tls.certificates[0].cert,
            "/srv/app/.flotilla/acme/certificates/example.com/fullchain.pem");
  EXPECT_EQ(tls.certificates[0].key, "/srv/app/.flotilla/acme/certificates/example.com/key.pem");
  EXPECT_EQ(tls.certificates[1].cert,
            "/srv/app/.flotilla/acme/certificates/www.example.com/fullchain.pem");
  EXPECT_FALSE(spec.acme->max_parallel_orders);  // the manager's default (4)
}

TEST(ParseAcme, MaxParallelOrdersIsATopLevelKey) {
  const Spec spec = load_ok(R"(acme: { max_parallel_orders: 2, domains: [a.test] }
listen:
  - address: "0.0.0.0:443"
    tls:
      acme: { challenge: tls-alpn-01 }
)");
  EXPECT_EQ(spec.acme->max_parallel_orders, 2u);
  const Lines zero = errors_of(R"(acme: { max_parallel_orders: 0 }
)");
  ASSERT_EQ(zero.size(), 1u);
  EXPECT_NE(zero[0].find("max_parallel_orders"), std::string::npos) << zero[0];
  const Lines in_listener = errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls:
      acme: { domains: [a.test], challenge: tls-alpn-01, max_parallel_orders: 2 }
)");
  ASSERT_EQ(in_listener.size(), 1u);
  EXPECT_NE(in_listener[0].find("max_parallel_orders"), std::string::npos) << in_listener[0];
}

TEST(ParseAcme, ADomainIsOrderedOnce) {
  const Lines twice = errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls:
      acme: { domains: [a.test, b.test, a.test], challenge: tls-alpn-01 }
  - address: "0.0.0.0:8443"
    tls:
      acme: { domains: [b.test], challenge: tls-alpn-01 }
)");
  ASSERT_EQ(twice.size(), 2u);
  EXPECT_NE(twice[0].find("'a.test' is listed twice"), std::string::npos) << twice[0];
  EXPECT_NE(twice[1].find("listen[1].tls.acme: 'b.test'"), std::string::npos) << twice[1];
}

TEST(ParseAcme, LetsEncryptIsTheDefaultDirectoryAndTheListenerWins) {
  const Spec spec = load_ok(R"(acme: { challenge: http-01, domains: [a.test] }
listen:
  - address: "0.0.0.0:443"
    tls:
      acme: { challenge: tls-alpn-01, retry_initial: 5s }
)");
  const Acme& acme = *spec.listeners.at(0).tls->acme;
  EXPECT_EQ(acme.directory, std::string(kLetsEncryptDirectory));
  EXPECT_EQ(acme.challenge, AcmeChallenge::tls_alpn_01);
  EXPECT_EQ(acme.domains, Lines{"a.test"});
  EXPECT_EQ(acme.retry_initial, Duration(5s));
}

TEST(ParseAcme, ErrorsSayWhereAndWhy) {
  EXPECT_EQ(errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls:
      acme: { domains: ["*.a.test"], directory: "http://x/dir", challenge: dns-01 }
)"),
            (Lines{"4:25: listen[0].tls.acme.domains[0]: invalid domain '*.a.test': use a host "
                   "name such as www.example.com (no wildcard, IP address or port)",
                   "4:49: listen[0].tls.acme.directory: invalid ACME directory 'http://x/dir': "
                   "expected an https:// URL such as "
                   "https://acme-v02.api.letsencrypt.org/directory",
                   "4:76: listen[0].tls.acme.challenge: expected one of http-01, tls-alpn-01, got "
                   "'dns-01'"}));
  const Lines missing = errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls:
      acme: { email: a@b.c }
)");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_TRUE(missing[0].starts_with("4:13: listen[0].tls.acme: needs 'domains'")) << missing[0];
  const Lines no_plain = errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls:
      acme: { domains: [a.test] }
)");
  ASSERT_EQ(no_plain.size(), 1u);
  EXPECT_NE(no_plain[0].find("challenge http-01 is answered by a plain"), std::string::npos)
      << no_plain[0];
  const Lines both = errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls:
      acme: { domains: [a.test], challenge: tls-alpn-01 }
      cert: c.pem
      key: k.pem
)");
  ASSERT_FALSE(both.empty());
  EXPECT_NE(both[0].find("acme"), std::string::npos) << both[0];
}

}  // namespace
}  // namespace flotilla::config
