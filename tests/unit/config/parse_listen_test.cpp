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

TEST(ParseListen, Http2SettingsDefaultToTheCodecsLimits) {
  const Spec spec = load_ok("listen: [{ address: \"127.0.0.1:8080\", http2: true }]\n");
  const Listener& l = spec.listeners.at(0);
  EXPECT_TRUE(l.http2);
  EXPECT_EQ(l.h2, Http2Settings{});
  EXPECT_EQ(l.h2.max_concurrent_streams, 128u);
  EXPECT_EQ(l.h2.initial_window, 65536u);
  EXPECT_EQ(l.h2.max_frame_size, 16384u);
  EXPECT_FALSE(l.h2.max_header_list);
  EXPECT_FALSE(l.h2.idle_timeout);
}

TEST(ParseListen, ReadsEveryHttp2Key) {
  const Spec spec = load_ok(R"(listen:
  - address: "127.0.0.1:8080"
    http2:
      max_concurrent_streams: 64
      initial_window: 256KiB
      connection_window: 8Mi
      max_header_list: 32Ki
      hpack_table: 0
      max_frame_size: 16777215
      idle_timeout: 20s
      floods: { resets: 5, pings: 6, settings: 7, empty_data: 8, window_updates: 9,
                continuations: 2 }
)");
  const Listener& l = spec.listeners.at(0);
  EXPECT_TRUE(l.http2);
  EXPECT_EQ(l.h2.max_concurrent_streams, 64u);
  EXPECT_EQ(l.h2.initial_window, 256u * 1024u);
  EXPECT_EQ(l.h2.connection_window, 8u * 1024u * 1024u);
  EXPECT_EQ(l.h2.max_header_list, 32u * 1024u);
  EXPECT_EQ(l.h2.hpack_table, 0u);
  EXPECT_EQ(l.h2.max_frame_size, 16777215u);
  EXPECT_EQ(l.h2.idle_timeout, std::chrono::seconds(20));
  EXPECT_EQ(l.h2.floods, (Http2FloodBudgets{5, 6, 7, 8, 9, 2}));
}

TEST(ParseListen, Http2RangesFollowRfc9113) {
  EXPECT_EQ(errors_of(R"(listen:
  - address: "127.0.0.1:8080"
    http2:
      max_concurrent_streams: 0
      initial_window: 2Gi
      connection_window: 1000
      max_frame_size: 16383
      idle_timeout: 0
      floods: { resets: 0, bogus: 1 }
  - address: "127.0.0.1:8081"
    http2: { max_frame_size: 16Mi }
  - address: "127.0.0.1:8082"
    http2: [1]
)"),
            (Lines{
                "4:31: listen[0].http2.max_concurrent_streams: must be between 1 and 1048576, "
                "got 0",
                "5:23: listen[0].http2.initial_window: must be 1..2147483647 (RFC 9113 §6.9.2: "
                "at most 2^31-1), got 2147483648",
                "6:26: listen[0].http2.connection_window: must be 65535..2147483647 (RFC 9113 "
                "§6.9: from the initial 65535 up to 2^31-1), got 1000",
                "7:23: listen[0].http2.max_frame_size: must be 16384..16777215 (RFC 9113 "
                "§6.5.2: 2^14..2^24-1), got 16383",
                "8:21: listen[0].http2.idle_timeout: must be greater than 0",
                "9:25: listen[0].http2.floods.resets: must be between 1 and 1000000, got 0",
                "9:28: unknown key 'bogus' in listen[0].http2.floods",
                "11:30: listen[1].http2.max_frame_size: must be 16384..16777215 (RFC 9113 "
                "§6.5.2: 2^14..2^24-1), got 16777216",
                "13:12: listen[2].http2: expected a mapping, got a list",
            }));
}

TEST(ParseListen, TlsDefaults) {
  const Spec spec = load_ok(R"(listen:
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, key: k.pem }
)");
  const Tls& tls = spec.listeners.at(0).tls.value();
  EXPECT_EQ(tls.pos, (SourcePos{3, 10}));
  ASSERT_EQ(tls.certificates.size(), 1u);
  EXPECT_EQ(tls.certificates[0].pos, (SourcePos{3, 10}));  // the flat form: the tls block
  EXPECT_EQ(tls.certificates[0].cert, "/srv/app/c.pem");
  EXPECT_EQ(tls.certificates[0].key, "/srv/app/k.pem");
  EXPECT_FALSE(tls.certificates[0].ocsp);
  EXPECT_EQ(tls.protocols, (std::vector<TlsProtocol>{TlsProtocol::tls1_2, TlsProtocol::tls1_3}));
  EXPECT_EQ(tls.ciphers, "");
  EXPECT_EQ(tls.ciphersuites, "");
  EXPECT_TRUE(tls.groups.empty());
  EXPECT_TRUE(tls.session_tickets);
  EXPECT_EQ(tls.ticket_key_rotation, std::chrono::hours(1));
  EXPECT_EQ(tls.session_cache, 20480u);
  EXPECT_EQ(tls.session_timeout, std::chrono::minutes(10));
  EXPECT_FALSE(tls.client_ca);
  EXPECT_EQ(tls.verify, TlsVerify::none);
  EXPECT_EQ(tls.client_subject_header, "X-Client-Cert-Subject");
  EXPECT_EQ(tls.handshake_timeout, std::chrono::seconds(10));
  EXPECT_EQ(tls.max_handshakes, 1024u);
  EXPECT_FALSE(spec.listeners[0].hsts);
  EXPECT_FALSE(spec.listeners[0].headers);
}

TEST(ParseListen, ReadsEveryTlsKey) {
  const Spec spec = load_ok(R"(listen:
  - address: "0.0.0.0:443"
    tls:
      certificates:
        - { cert: certs/a.pem, key: certs/a.key, ocsp: certs/a.ocsp }
        - cert: /etc/ssl/b.pem
          key: /etc/ssl/b.key
      protocols: [TLSv1.3]
      ciphers: "ECDHE+AESGCM:ECDHE+CHACHA20"
      ciphersuites: TLS_AES_128_GCM_SHA256
      groups: [X25519, P-256, secp384r1]
      session_tickets: false
      ticket_key_rotation: 30m
      session_cache: 0
      session_timeout: 5m
      client_ca: ca/clients.pem
      verify: optional
      client_subject_header: X-Subject
      handshake_timeout: 3s
      max_handshakes: 1
  - address: "0.0.0.0:8443"
    tls: { cert: c.pem, key: k.pem, ocsp: c.ocsp, client_ca: /etc/ca.pem }
)");
  const Tls& tls = spec.listeners.at(0).tls.value();
  ASSERT_EQ(tls.certificates.size(), 2u);
  EXPECT_EQ(tls.certificates[0], (TlsCertificate{SourcePos{5, 11}, "/srv/app/certs/a.pem",
                                                 "/srv/app/certs/a.key", "/srv/app/certs/a.ocsp"}));
  EXPECT_EQ(tls.certificates[1],
            (TlsCertificate{SourcePos{6, 11}, "/etc/ssl/b.pem", "/etc/ssl/b.key", std::nullopt}));
  EXPECT_EQ(tls.protocols, std::vector<TlsProtocol>{TlsProtocol::tls1_3});
  EXPECT_EQ(tls.ciphers, "ECDHE+AESGCM:ECDHE+CHACHA20");
  EXPECT_EQ(tls.ciphersuites, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(tls.groups, (std::vector<std::string>{"X25519", "P-256", "secp384r1"}));
  EXPECT_FALSE(tls.session_tickets);
  EXPECT_EQ(tls.ticket_key_rotation, std::chrono::minutes(30));
  EXPECT_EQ(tls.session_cache, 0u);
  EXPECT_EQ(tls.session_timeout, std::chrono::minutes(5));
  EXPECT_EQ(tls.client_ca, "/srv/app/ca/clients.pem");
  EXPECT_EQ(tls.verify, TlsVerify::optional);
  EXPECT_EQ(tls.client_subject_header, "X-Subject");
  EXPECT_EQ(tls.handshake_timeout, std::chrono::seconds(3));
  EXPECT_EQ(tls.max_handshakes, 1u);

  const Tls& flat = spec.listeners.at(1).tls.value();
  ASSERT_EQ(flat.certificates.size(), 1u);
  EXPECT_EQ(flat.certificates[0].ocsp, "/srv/app/c.ocsp");
  EXPECT_EQ(flat.client_ca, "/etc/ca.pem");
  EXPECT_EQ(flat.verify, TlsVerify::required);  // client_ca without verify
}

TEST(ParseListen, TheLoaderDoesNotReadCertificateFiles) {
  // None of these files exist; checking them is the tls module's job when it starts.
  const Spec spec = load_ok(R"(listen:
  - address: "0.0.0.0:443"
    tls: { cert: /nonexistent/c.pem, key: /nonexistent/k.pem, client_ca: /nonexistent/ca.pem }
)");
  EXPECT_EQ(spec.listeners.at(0).tls->certificates.at(0).cert, "/nonexistent/c.pem");
}

TEST(ParseListen, ClientVerificationRules) {
  const Spec spec = load_ok(R"(listen:
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, key: k.pem, client_ca: ca.pem, verify: none }
  - address: "0.0.0.0:444"
    tls: { cert: c.pem, key: k.pem, verify: none }
)");
  EXPECT_EQ(spec.listeners.at(0).tls->verify, TlsVerify::none);
  EXPECT_EQ(spec.listeners.at(1).tls->verify, TlsVerify::none);
  EXPECT_EQ(errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, key: k.pem, verify: required }
  - address: "0.0.0.0:444"
    tls: { cert: c.pem, key: k.pem, verify: optional, client_subject_header: X-S }
  - address: "0.0.0.0:445"
    tls: { cert: c.pem, key: k.pem, client_ca: ca.pem, verify: always }
  - address: "0.0.0.0:446"
    tls: { cert: c.pem, key: k.pem, client_ca: ca.pem, client_subject_header: "Bad Name" }
  - address: "0.0.0.0:447"
    tls: { cert: c.pem, key: k.pem, client_ca: ca.pem, client_subject_header: Connection }
)"),
            (Lines{
                "3:45: listen[0].tls.verify: 'required' needs 'client_ca' (the CA certificates "
                "that client certificates are checked against)",
                "5:45: listen[1].tls.verify: 'optional' needs 'client_ca' (the CA certificates "
                "that client certificates are checked against)",
                "5:55: listen[1].tls.client_subject_header: only used with 'client_ca'",
                "7:64: listen[2].tls.verify: expected one of none, optional, required, got "
                "'always'",
                "9:79: listen[3].tls.client_subject_header: invalid header name 'Bad Name'",
                "11:79: listen[4].tls.client_subject_header: 'Connection' is managed by the proxy "
                "(message framing and hop-by-hop headers) and cannot be set, added or removed",
            }));
}

TEST(ParseListen, ReportsTlsMistakes) {
  EXPECT_EQ(errors_of(R"(listen:
  - address: "0.0.0.0:443"
    tls: { protocols: [TLSv1.2] }
  - address: "0.0.0.0:444"
    tls:
      cert: c.pem
      certificates: [{ cert: c.pem, key: k.pem }]
      ocsp: o.der
  - address: "0.0.0.0:445"
    tls:
      certificates:
        - { cert: a.pem }
        - b.pem
        - { cert: ./a.pem, key: a.key, chain: x }
  - address: "0.0.0.0:446"
    tls: { certificates: [] }
  - address: "0.0.0.0:447"
    tls:
      cert: c.pem
      key: k.pem
      groups: []
      ciphers: ""
      ticket_key_rotation: 0
      session_cache: -1
      session_timeout: 0s
      handshake_timeout: 0
      max_handshakes: 0
      session_tickets: sometimes
  - address: "0.0.0.0:448"
    tls: { cert: c.pem, key: k.pem, groups: ["X25519:P-256"], protocols: TLSv1.3 }
  - address: "0.0.0.0:449"
    tls: c.pem
)"),
            (Lines{
                "3:10: listen[0].tls needs 'cert' and 'key', or 'certificates'",
                "7:7: 'cert' and 'certificates' are mutually exclusive in listen[1].tls",
                "8:7: 'certificates' and 'ocsp' are mutually exclusive in listen[1].tls",
                "12:11: missing required key 'key' in listen[2].tls.certificates[0]",
                "13:11: listen[2].tls.certificates[1]: expected a mapping, got 'b.pem'",
                "14:19: listen[2].tls.certificates[2].cert: the same certificate as "
                "listen[2].tls.certificates[0]",
                "14:40: unknown key 'chain' in listen[2].tls.certificates[2]",
                "16:26: listen[3].tls.certificates: must not be empty",
                "21:15: listen[4].tls.groups: must not be empty (remove 'groups' to use the "
                "default)",
                "22:16: listen[4].tls.ciphers: must not be empty",
                "23:28: listen[4].tls.ticket_key_rotation: must be greater than 0",
                "24:22: listen[4].tls.session_cache: must not be negative, got -1",
                "25:24: listen[4].tls.session_timeout: must be greater than 0",
                "26:26: listen[4].tls.handshake_timeout: must be greater than 0",
                "27:23: listen[4].tls.max_handshakes: must be between 1 and 1000000, got 0",
                "28:24: listen[4].tls.session_tickets: expected true or false, got 'sometimes'",
                "30:46: listen[5].tls.groups[0]: invalid group name 'X25519:P-256', e.g. X25519, "
                "P-256 or P-384",
                "30:74: listen[5].tls.protocols: expected a list, got 'TLSv1.3'",
                "32:10: listen[6].tls: expected a mapping, got 'c.pem'",
            }));
}

TEST(ParseListen, Hsts) {
  const Spec spec = load_ok(R"(listen:
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, key: k.pem }
    hsts: true
  - address: "0.0.0.0:444"
    tls: { cert: c.pem, key: k.pem }
    hsts: { max_age: 2y, include_subdomains: true, preload: true }
  - address: "0.0.0.0:445"
    tls: { cert: c.pem, key: k.pem }
    hsts: { max_age: 0 }
  - address: "0.0.0.0:446"
    tls: { cert: c.pem, key: k.pem }
    hsts: false
  - address: "0.0.0.0:80"
    hsts: false
)");
  EXPECT_EQ(spec.listeners.at(0).hsts, (Hsts{std::chrono::days(365), false, false}));
  EXPECT_EQ(spec.listeners.at(1).hsts, (Hsts{std::chrono::days(730), true, true}));
  EXPECT_EQ(spec.listeners.at(2).hsts, (Hsts{std::chrono::seconds(0), false, false}));
  EXPECT_FALSE(spec.listeners.at(3).hsts);
  EXPECT_FALSE(spec.listeners.at(4).hsts);
  std::vector<std::string> gated;
  for (const FeatureUse& use : spec.features) {
    if (use.feature == "hsts") gated.push_back(use.key);
  }
  EXPECT_EQ(gated,
            (std::vector<std::string>{"listen[0].hsts", "listen[1].hsts", "listen[2].hsts"}));
}

TEST(ParseListen, ReportsHstsMistakes) {
  EXPECT_EQ(errors_of(R"(listen:
  - address: "0.0.0.0:80"
    hsts: true
  - address: "0.0.0.0:81"
    hsts: { max_age: 1y }
  - address: "0.0.0.0:443"
    tls: { cert: c.pem, key: k.pem }
    hsts: { preload: true, include_subdomains: true, max_age: 180d }
  - address: "0.0.0.0:444"
    tls: { cert: c.pem, key: k.pem }
    hsts: { preload: true }
  - address: "0.0.0.0:445"
    tls: { cert: c.pem, key: k.pem }
    hsts: { max_age: 1500ms, includeSubdomains: true }
  - address: "0.0.0.0:446"
    tls: { cert: c.pem, key: k.pem }
    hsts: yes
)"),
            (Lines{
                "3:5: listen[0].hsts: only applies to a TLS listener (browsers ignore "
                "Strict-Transport-Security over plain HTTP)",
                "5:5: listen[1].hsts: only applies to a TLS listener (browsers ignore "
                "Strict-Transport-Security over plain HTTP)",
                "8:13: listen[2].hsts.preload: the HSTS preload list (hstspreload.org) requires "
                "include_subdomains: true and max_age of at least 1y",
                "11:13: listen[3].hsts.preload: the HSTS preload list (hstspreload.org) requires "
                "include_subdomains: true and max_age of at least 1y",
                "14:22: listen[4].hsts.max_age: must be whole seconds",
                "14:30: unknown key 'includeSubdomains' in listen[4].hsts (did you mean "
                "'include_subdomains'?)",
                "17:11: listen[5].hsts: expected true or false, got 'yes'",
            }));
}

TEST(ParseListen, HeaderRulesOnAListener) {
  const Spec spec = load_ok(R"(listen:
  - address: "0.0.0.0:8080"
    headers:
      request: { set: { X-Forwarded-Proto: $scheme } }
      response: { remove: [Server] }
)");
  const auto& headers = spec.listeners.at(0).headers.value();
  ASSERT_EQ(headers.request.set.size(), 1u);
  EXPECT_EQ(headers.request.set[0].name, "X-Forwarded-Proto");
  EXPECT_EQ(headers.request.set[0].value.parts,
            (std::vector<TemplatePart>{TemplatePart{"", Variable::scheme}}));
  EXPECT_EQ(headers.response.remove, std::vector<std::string>{"Server"});
  ASSERT_EQ(spec.features.size(), 1u);
  EXPECT_EQ(spec.features[0], (FeatureUse{"headers", "listen[0].headers", SourcePos{3, 5}}));
}

TEST(ParseListen, ListenMustBeAList) {
  EXPECT_EQ(errors_of("listen: \"0.0.0.0:80\"\n"),
            Lines{"1:9: listen: expected a list, got '0.0.0.0:80'"});
}

}  // namespace
}  // namespace flotilla::config
