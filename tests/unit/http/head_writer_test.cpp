// Head forwarding as gather pieces: hop-by-hop removal, coalescing, added lines, round trips.
// Tests only the public API of head_writer.hpp with heads from the real parsers.
#include "http/head_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "http/request_parser.hpp"
#include "http/response_parser.hpp"

namespace flotilla::http {
namespace {

std::string join(std::span<const IoPiece> pieces) {
  std::string out;
  for (const IoPiece& p : pieces) out.append(static_cast<const char*>(p.data), p.size);
  return out;
}

constexpr std::string_view kRequest =
    "GET /chat HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "Connection: keep-alive, Upgrade, X-Hop\r\n"
    "Keep-Alive: timeout=5\r\n"
    "Upgrade: websocket\r\n"
    "X-Hop: drop me\r\n"
    "Accept: */*\r\n"
    "TE: trailers\r\n"
    "Proxy-Connection: keep-alive\r\n"
    "X-Forwarded-For: 10.0.0.1\r\n"
    "Cookie: a=b\r\n"
    "\r\n";

TEST(HeadWriter, UnchangedHeadIsOnePiece) {
  RequestParser p;
  const std::string_view raw = "GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n";
  ASSERT_TRUE(p.parse(raw).complete());
  HeadWriter w;
  const auto pieces = w.write(p.head(), {});
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].data, raw.data());
  EXPECT_EQ(join(pieces), raw);
  EXPECT_EQ(w.size(), raw.size());
}

TEST(HeadWriter, DropsHopByHopAndCoalescesRuns) {
  RequestParser p;
  ASSERT_TRUE(p.parse(kRequest).complete());
  HeadWriter w;
  const std::string_view added[] = {"Via: 1.1 flotilla\r\n", "X-Request-Id: 42\r\n"};
  ForwardOptions options;
  options.added = added;
  const auto pieces = w.write(p.head(), options);
  EXPECT_EQ(join(pieces),
            "GET /chat HTTP/1.1\r\n"
            "Host: example.com\r\n"
            "Accept: */*\r\n"
            "X-Forwarded-For: 10.0.0.1\r\n"
            "Cookie: a=b\r\n"
            "Via: 1.1 flotilla\r\n"
            "X-Request-Id: 42\r\n"
            "\r\n");
  // Runs: [line+Host] [Accept] [XFF+Cookie] + 2 added + final CRLF.
  EXPECT_EQ(pieces.size(), 6u);
  EXPECT_EQ(pieces[0].data, kRequest.data());
}

TEST(HeadWriter, KeepsUpgradeWhenUpgrading) {
  RequestParser p;
  ASSERT_TRUE(p.parse(kRequest).complete());
  ASSERT_TRUE(p.head().upgrade);
  HeadWriter w;
  ForwardOptions options;
  options.keep_upgrade = true;
  options.drop = header_bit(HeaderId::kXForwardedFor);
  EXPECT_EQ(join(w.write(p.head(), options)),
            "GET /chat HTTP/1.1\r\n"
            "Host: example.com\r\n"
            "Upgrade: websocket\r\n"
            "Accept: */*\r\n"
            "Cookie: a=b\r\n"
            "Connection: upgrade\r\n"
            "\r\n");
}

TEST(HeadWriter, ReframeAndVersionRewrite) {
  RequestParser p;
  const std::string_view raw =
      "POST /u HTTP/1.0\r\nContent-Length: 5\r\nX-A: 1\r\nConnection: keep-alive\r\n\r\n";
  ASSERT_TRUE(p.parse(raw).complete());
  HeadWriter w;
  const std::string_view added[] = {"Transfer-Encoding: chunked\r\n"};
  ForwardOptions options;
  options.added = added;
  options.reframe = true;
  options.force_http11 = true;
  EXPECT_EQ(join(w.write(p.head(), options)),
            "POST /u HTTP/1.1\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
}

TEST(HeadWriter, ReplacesTheTarget) {
  HeadWriter w;
  ForwardOptions options;
  options.target = "/p?q";
  RequestParser p11;
  ASSERT_TRUE(p11.parse("GET http://h/p?q HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n").complete());
  EXPECT_EQ(join(w.write(p11.head(), options)), "GET /p?q HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n");
  // With the version rewritten too.
  RequestParser p10;
  ASSERT_TRUE(p10.parse("GET http://h/p?q HTTP/1.0\r\nX-A: 1\r\n\r\n").complete());
  options.force_http11 = true;
  EXPECT_EQ(join(w.write(p10.head(), options)), "GET /p?q HTTP/1.1\r\nX-A: 1\r\n\r\n");
}

TEST(HeadWriter, LastHeaderDroppedStillEndsTheHead) {
  RequestParser p;
  ASSERT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").complete());
  HeadWriter w;
  const auto pieces = w.write(p.head(), {});
  EXPECT_EQ(join(pieces), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(pieces.size(), 2u);
}

TEST(HeadWriter, RoundTripsThroughTheParser) {
  RequestParser p;
  ASSERT_TRUE(p.parse(kRequest).complete());
  HeadWriter w;
  const std::string_view added[] = {"Via: 1.1 flotilla\r\n"};
  ForwardOptions options;
  options.added = added;
  const std::string written = join(w.write(p.head(), options));

  RequestParser again;
  ASSERT_TRUE(again.parse(written).complete());
  const RequestHead& h = again.head();
  EXPECT_EQ(h.target, "/chat");
  EXPECT_EQ(h.host, "example.com");
  EXPECT_FALSE(h.upgrade);
  ASSERT_EQ(h.headers.size(), 5u);
  for (const Header& header : h.headers) {
    EXPECT_EQ(kHopByHopHeaders & header_bit(header.id), 0u) << header.name;
    EXPECT_NE(header.name, "X-Hop");
  }
  EXPECT_EQ(h.headers.back().id, HeaderId::kVia);
}

TEST(HeadWriter, WritesResponses) {
  ResponseParser p;
  const std::string_view raw =
      "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nX-A: b\r\n\r\n";
  ASSERT_TRUE(p.parse(raw).complete());
  HeadWriter w;
  ForwardOptions options;
  options.force_http11 = true;
  const std::string written = join(w.write(p.head(), options));
  EXPECT_EQ(written, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\n");
  ResponseParser again;
  ASSERT_TRUE(again.parse(written).complete());
  EXPECT_EQ(again.head().version, Version::kHttp11);
  EXPECT_EQ(again.head().content_length, 2u);
}

TEST(HeadWriter, ReusesItsPieceStorage) {
  RequestParser p;
  ASSERT_TRUE(p.parse(kRequest).complete());
  HeadWriter w(4);
  const std::string_view added[] = {"A: 1\r\n", "B: 2\r\n", "C: 3\r\n"};
  ForwardOptions options;
  options.added = added;
  const IoPiece* first = w.write(p.head(), options).data();
  const IoPiece* second = w.write(p.head(), options).data();
  EXPECT_EQ(first, second);  // warmed up: no reallocation
}

}  // namespace
}  // namespace flotilla::http

namespace flotilla::http {
namespace {

// RFC 9110 §8.6: duplicate or list-valued Content-Length (which the parser accepts when the
// values agree) and leading zeros are replaced by one canonical line before forwarding.
TEST(HeadWriter, ContentLengthGoesOutAsOneCanonicalLine) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\nX: y\r\n\r\n",
       "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nX: y\r\n\r\n"},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\nX: y\r\n\r\n",
       "POST / HTTP/1.1\r\nHost: a\r\nX: y\r\nContent-Length: 2\r\n\r\n"},
      {"POST / HTTP/1.1\r\nContent-Length: 0005\r\nHost: a\r\n\r\n",
       "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"},
      {"POST / HTTP/1.1\r\nContent-Length: 02\r\nHost: a\r\nContent-Length: 02\r\n\r\n",
       "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n"},
  };
  for (const auto& [raw, expected] : cases) {
    RequestParser p;
    ASSERT_TRUE(p.parse(raw).complete()) << raw;
    HeadWriter w;
    EXPECT_EQ(join(w.write(p.head(), {})), expected);
  }

  ResponseParser r;
  const std::string_view response =
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: b\r\nContent-Length: 3\r\n\r\n";
  ASSERT_TRUE(r.parse(response).complete());
  const std::string_view added[] = {"Via: 1.1 flotilla\r\n"};
  ForwardOptions options;
  options.added = added;
  HeadWriter w;
  EXPECT_EQ(join(w.write(r.head(), options)),
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: b\r\nVia: 1.1 flotilla\r\n\r\n");
}

TEST(HeadWriter, CanonicalContentLengthStaysOnePiece) {
  RequestParser p;
  const std::string_view raw = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n";
  ASSERT_TRUE(p.parse(raw).complete());
  HeadWriter w;
  const auto pieces = w.write(p.head(), {});
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(join(pieces), raw);
}

}  // namespace
}  // namespace flotilla::http

namespace flotilla::http {
namespace {

// `X_Real_IP` reads as X-Real-IP to a CGI/WSGI upstream: dropped when X-Real-IP is in the mask,
// while other underscore names, and names the mask does not cover, pass.
TEST(HeadWriter, DropsUnderscoreAliasesOfProxyHeaders) {
  RequestParser p;
  const std::string_view raw =
      "GET / HTTP/1.1\r\nHost: a\r\nX_Real_IP: 6.6.6.6\r\nx_forwarded_for: 6.6.6.6\r\n"
      "My_Header: 1\r\nX_Forwarded_Proto: https\r\nAccept: */*\r\n\r\n";
  ASSERT_TRUE(p.parse(raw).complete());
  HeadWriter w;
  ForwardOptions options;
  options.drop_underscore_aliases =
      header_bit(HeaderId::kXRealIp) | header_bit(HeaderId::kXForwardedFor);
  EXPECT_EQ(join(w.write(p.head(), options)),
            "GET / HTTP/1.1\r\nHost: a\r\nMy_Header: 1\r\nX_Forwarded_Proto: https\r\n"
            "Accept: */*\r\n\r\n");
  EXPECT_EQ(join(w.write(p.head(), {})), raw);  // off unless asked
}

}  // namespace
}  // namespace flotilla::http
