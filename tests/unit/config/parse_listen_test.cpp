// listen: entries, their shorthand, defaults and the rules local to one listener.
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace flotilla::config {
namespace {

using testing::errors_of;
using testing::load_ok;
using Lines = std::vector<std::string>;

TEST(ParseListen, DefaultsFollowNginx) {
  const Spec spec = load_ok("listen: [\"127.0.0.1:8080\"]\n");
  ASSERT_EQ(spec.listeners.size(), 1u);
  const Listener& l = spec.listeners[0];
  EXPECT_EQ(l.address, (Address{Address::Kind::tcp, "127.0.0.1", 8080, ""}));
  EXPECT_EQ(l.pos, (SourcePos{1, 10}));
  EXPECT_FALSE(l.tls);
  EXPECT_FALSE(l.http2);
  EXPECT_FALSE(l.redirect_https);
  EXPECT_FALSE(l.health_path);
  EXPECT_FALSE(l.ready_path);
  EXPECT_EQ(l.timeouts.client_header, std::chrono::seconds(60));
  EXPECT_EQ(l.timeouts.client_body, std::chrono::seconds(60));
  EXPECT_EQ(l.timeouts.keepalive, std::chrono::seconds(75));
  EXPECT_EQ(l.limits.max_request_line, 8192u);
  EXPECT_EQ(l.limits.max_header_bytes, 8192u);
  EXPECT_EQ(l.limits.max_headers, 100u);
  EXPECT_EQ(l.limits.max_body, 1024u * 1024u);
}

TEST(ParseListen, ReadsEveryKey) {
  const Spec spec = load_ok(R"(
listen:
  - address: "*:443"
    tls: { cert: certs/cert.pem, key: /etc/ssl/key.pem, protocols: [TLSv1.3] }
    http2: true
    health: /healthz
    ready: /readyz
    timeouts: { client_header: 10s, client_body: 1m, keepalive: 0 }
    limits: { max_request_line: 4Ki, max_header_bytes: 64KiB, max_headers: 50, max_body: 0 }
  - address: unix:run/gw.sock
    redirect_https: true
)");
  ASSERT_EQ(spec.listeners.size(), 2u);
  const Listener& tls = spec.listeners[0];
  EXPECT_EQ(tls.address.host, "0.0.0.0");
  EXPECT_EQ(tls.address.port, 443);
  ASSERT_TRUE(tls.tls);
  EXPECT_EQ(tls.tls->certificates.at(0).cert, "/srv/app/certs/cert.pem");
  EXPECT_EQ(tls.tls->certificates.at(0).key, "/etc/ssl/key.pem");
  EXPECT_EQ(tls.tls->protocols, std::vector<TlsProtocol>{TlsProtocol::tls1_3});
  EXPECT_TRUE(tls.http2);
  EXPECT_EQ(tls.health_path, "/healthz");
  EXPECT_EQ(tls.ready_path, "/readyz");
  EXPECT_EQ(tls.timeouts.client_header, std::chrono::seconds(10));
  EXPECT_EQ(tls.timeouts.client_body, std::chrono::minutes(1));
  EXPECT_EQ(tls.timeouts.keepalive, std::chrono::seconds(0));
  EXPECT_EQ(tls.limits.max_request_line, 4096u);
  EXPECT_EQ(tls.limits.max_header_bytes, 65536u);
  EXPECT_EQ(tls.limits.max_headers, 50u);
  EXPECT_EQ(tls.limits.max_body, 0u);
  const Listener& unix_listener = spec.listeners[1];
  EXPECT_EQ(unix_listener.address.kind, Address::Kind::unix_socket);
  EXPECT_EQ(unix_listener.address.path, "/srv/app/run/gw.sock");
  EXPECT_TRUE(unix_listener.redirect_https);
}

TEST(ParseListen, ReportsLocalMistakes) {
  EXPECT_EQ(errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, protocols: [TLSv1.1] }
    redirect_https: true
  - address: "0.0.0.0:80"
    health: health
    limits: { max_headers: 0 }
    timeouts: { client_header: 0 }
  - address: "0.0.0.0:81"
    tls: { cert: c.pem, key: k.pem, protocols: [] }
  - 8080
  - [a, b]
)"),
            (Lines{
                "3:10: missing required key 'key' in listen[0].tls",
                "3:37: listen[0].tls.protocols[0]: expected one of TLSv1.2, TLSv1.3, got 'TLSv1.1' "
                "(did you mean 'TLSv1.2'?)",
                "4:5: listen[0].redirect_https: this listener already serves TLS; set it on the "
                "plain-HTTP listener",
                "6:13: listen[1].health: must start with '/', got 'health'",
                "7:28: listen[1].limits.max_headers: must be between 1 and 10000, got 0",
                "8:32: listen[1].timeouts.client_header: must be greater than 0",
                "10:48: listen[2].tls.protocols: must not be empty",
                "11:5: listen[3]: invalid address '8080': missing port (use host:port, "
                "[ipv6]:port or unix:/path)",
                "12:5: listen[4]: expected a mapping, got a list",
            }));
}

TEST(ParseListen, ListenMustBeAList) {
  EXPECT_EQ(errors_of("listen: \"0.0.0.0:80\"\n"),
            Lines{"1:9: listen: expected a list, got '0.0.0.0:80'"});
}

}  // namespace
}  // namespace flotilla::config
