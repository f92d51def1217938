// Request head parsing: derived fields, incremental feeding, pipelining, limits.
// Tests only the public API of request_parser.hpp; must never depend on its internals.
#include "http/request_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "http/header_names.hpp"

namespace flotilla::http {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kChromeGet =
    "GET /search?q=flotilla&lang=en HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"118\", \"Google Chrome\";v=\"118\"\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n"
    "Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9\r\n"
    "Cookie: a=1; b=2\r\n"
    "\r\n";

const Header* find(const RequestHead& h, std::string_view name) {
  for (const Header& header : h.headers) {
    if (header.name == name) return &header;
  }
  return nullptr;
}

TEST(RequestParser, ParsesABrowserRequest) {
  RequestParser p;
  const ParseResult r = p.parse(kChromeGet);
  ASSERT_TRUE(r.complete()) << to_string(r.error);
  EXPECT_EQ(r.consumed, kChromeGet.size());
  const RequestHead& h = p.head();
  EXPECT_EQ(h.method, Method::kGet);
  EXPECT_EQ(h.method_text, "GET");
  EXPECT_EQ(h.target, "/search?q=flotilla&lang=en");
  EXPECT_EQ(h.target_form, TargetForm::kOrigin);
  EXPECT_EQ(h.version, Version::kHttp11);
  EXPECT_EQ(h.host, "www.example.com");
  EXPECT_EQ(h.framing, BodyFraming::kNone);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_FALSE(h.expect_continue);
  EXPECT_FALSE(h.upgrade);
  EXPECT_EQ(h.request_line, "GET /search?q=flotilla&lang=en HTTP/1.1");
  EXPECT_EQ(h.head_size, kChromeGet.size());
  ASSERT_EQ(h.headers.size(), 8u);
  EXPECT_EQ(h.headers[0].id, HeaderId::kHost);
  EXPECT_EQ(h.headers[1].id, HeaderId::kConnection);
  EXPECT_EQ(h.headers[2].name, "sec-ch-ua");
  EXPECT_EQ(h.headers[2].value, "\"Chromium\";v=\"118\", \"Google Chrome\";v=\"118\"");
  EXPECT_EQ(h.headers[3].id, HeaderId::kUserAgent);
  EXPECT_EQ(h.headers[5].id, HeaderId::kAcceptEncoding);
  EXPECT_EQ(h.headers[7].id, HeaderId::kCookie);
  // Views point into the caller's buffer: no copies.
  EXPECT_EQ(h.target.data(), kChromeGet.data() + 4);
  // Line sizes tile the header section exactly.
  std::size_t lines = 0;
  for (const Header& header : h.headers) lines += header.line_size;
  EXPECT_EQ(h.request_line.size() + 2 + lines + 2, kChromeGet.size());
}

TEST(RequestParser, TrimsOwsAroundValues) {
  RequestParser p;
  ASSERT_TRUE(
      p.parse("GET / HTTP/1.1\r\nHost: \t a \t\r\nX:b\r\nY: c d \r\nZ:\r\n\r\n").complete());
  const RequestHead& h = p.head();
  EXPECT_EQ(h.headers[0].value, "a");
  EXPECT_EQ(h.headers[1].value, "b");
  EXPECT_EQ(h.headers[2].value, "c d");
  EXPECT_EQ(h.headers[3].value, "");
}

TEST(RequestParser, ByteByByteGivesTheSameHead) {
  RequestParser whole;
  ASSERT_TRUE(whole.parse(kChromeGet).complete());
  RequestParser incremental;
  std::string buffer;
  ParseResult r;
  for (std::size_t i = 0; i < kChromeGet.size(); ++i) {
    buffer.push_back(kChromeGet[i]);
    r = incremental.parse(buffer);
    if (i + 1 < kChromeGet.size()) {
      ASSERT_TRUE(r.incomplete()) << i;
    }
  }
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.consumed, kChromeGet.size());
  const RequestHead& a = whole.head();
  const RequestHead& b = incremental.head();
  EXPECT_EQ(a.request_line, b.request_line);
  EXPECT_EQ(a.host, b.host);
  ASSERT_EQ(a.headers.size(), b.headers.size());
  for (std::size_t i = 0; i < a.headers.size(); ++i) {
    EXPECT_EQ(a.headers[i].name, b.headers[i].name);
    EXPECT_EQ(a.headers[i].value, b.headers[i].value);
    EXPECT_EQ(a.headers[i].line_size, b.headers[i].line_size);
  }
}

TEST(RequestParser, PipelinedRequestsInOneBuffer) {
  const std::string buffer =
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string_view rest = buffer;
  RequestParser p;

  ParseResult r = p.parse(rest);
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(p.head().target, "/a");
  rest.remove_prefix(r.consumed);

  p.reset();
  r = p.parse(rest);
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(p.head().target, "/b");
  EXPECT_EQ(p.head().framing, BodyFraming::kContentLength);
  EXPECT_EQ(p.head().content_length, 3u);
  rest.remove_prefix(r.consumed + 3);

  p.reset();  // the stray CRLF after the body is a tolerated leading empty line
  r = p.parse(rest);
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(p.head().target, "/c");
  EXPECT_FALSE(p.head().keep_alive);
  EXPECT_EQ(r.consumed, rest.size());
}

TEST(RequestParser, RescanIsIncremental) {
  // Feeding a head one byte at a time must not rescan: the result of an incomplete call does not
  // change once bytes are consumed, and the final call completes with everything.
  RequestParser p;
  EXPECT_TRUE(p.parse("GET / HT").incomplete());
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHo").incomplete());
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\n\r").incomplete());
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").complete());
  // Repeated calls after completion return the same result.
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").complete());
}

TEST(RequestParser, Http10KeepAlive) {
  RequestParser p;
  ASSERT_TRUE(p.parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").complete());
  EXPECT_EQ(p.head().version, Version::kHttp10);
  EXPECT_TRUE(p.head().keep_alive);
  p.reset();
  ASSERT_TRUE(p.parse("GET / HTTP/1.0\r\n\r\n").complete());
  EXPECT_FALSE(p.head().keep_alive);
  EXPECT_EQ(p.head().host, "");
  p.reset();
  ASSERT_TRUE(p.parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").complete());
  EXPECT_FALSE(p.head().keep_alive);
  p.reset();
  ASSERT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: CLOSE\r\n\r\n").complete());
  EXPECT_FALSE(p.head().keep_alive);
}

TEST(RequestParser, ExpectContinue) {
  RequestParser p;
  ASSERT_TRUE(p.parse("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n"
                      "Content-Length: 10\r\n\r\n")
                  .complete());
  EXPECT_TRUE(p.head().expect_continue);
  EXPECT_EQ(p.head().framing, BodyFraming::kContentLength);
  p.reset();
  ASSERT_TRUE(p.parse("PUT /f HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").complete());
  EXPECT_FALSE(p.head().expect_continue);  // RFC 9110 §10.1.1: ignored on HTTP/1.0
}

TEST(RequestParser, UpgradeWebSocket) {
  RequestParser p;
  ASSERT_TRUE(p.parse("GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                      "Connection: keep-alive, Upgrade\r\n\r\n")
                  .complete());
  EXPECT_TRUE(p.head().upgrade);
  EXPECT_EQ(p.head().upgrade_protocol, "websocket");
  p.reset();
  ASSERT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").complete());
  EXPECT_FALSE(p.head().upgrade);  // no Connection: upgrade
  p.reset();
  ASSERT_TRUE(
      p.parse("GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n").complete());
  EXPECT_FALSE(p.head().upgrade);  // RFC 9110 §7.8: ignored on HTTP/1.0
  p.reset();
  // An empty Upgrade proposes nothing (llhttp agrees): what follows is the next request.
  ASSERT_TRUE(
      p.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade:\t\r\n\r\n").complete());
  EXPECT_FALSE(p.head().upgrade);
  p.reset();
  ASSERT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: \r\n"
                      "Upgrade: websocket\r\n\r\n")
                  .complete());
  EXPECT_TRUE(p.head().upgrade);
  EXPECT_EQ(p.head().upgrade_protocol, "websocket");
}

TEST(RequestParser, TargetForms) {
  RequestParser p;
  ASSERT_TRUE(
      p.parse("GET http://Example.com:8080/a?b HTTP/1.1\r\nHost: other\r\n\r\n").complete());
  EXPECT_EQ(p.head().target_form, TargetForm::kAbsolute);
  EXPECT_EQ(p.head().host, "Example.com:8080");  // RFC 9112 §3.2.2: the target wins
  p.reset();
  ASSERT_TRUE(p.parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").complete());
  EXPECT_EQ(p.head().target_form, TargetForm::kAsterisk);
  EXPECT_EQ(p.head().method, Method::kOptions);
  p.reset();
  ASSERT_TRUE(p.parse("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n").complete());
  EXPECT_EQ(p.head().target_form, TargetForm::kAuthority);
  EXPECT_EQ(p.head().host, "h:443");
  p.reset();
  EXPECT_EQ(p.parse("CONNECT h HTTP/1.1\r\nHost: h\r\n\r\n").error, ParseError::kInvalidTarget);
  p.reset();
  ASSERT_TRUE(p.parse("OPTIONS / HTTP/1.1\r\nHost: a\r\n\r\n").complete());
  EXPECT_EQ(p.head().target_form, TargetForm::kOrigin);
}

TEST(RequestParser, MethodsAreCaseSensitive) {
  RequestParser p;
  ASSERT_TRUE(p.parse("get / HTTP/1.1\r\nHost: a\r\n\r\n").complete());
  EXPECT_EQ(p.head().method, Method::kOther);
  EXPECT_EQ(p.head().method_text, "get");
  for (const auto m :
       {"GET"sv, "HEAD"sv, "POST"sv, "PUT"sv, "DELETE"sv, "OPTIONS"sv, "TRACE"sv, "PATCH"sv}) {
    EXPECT_EQ(to_string(method_from(m)), m);
  }
}

TEST(RequestParser, ChunkedFraming) {
  RequestParser p;
  ASSERT_TRUE(
      p.parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").complete());
  EXPECT_EQ(p.head().framing, BodyFraming::kChunked);
  p.reset();
  // Empty list elements are ignored (RFC 9110 §5.6.1).
  ASSERT_TRUE(
      p.parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked\r\n\r\n").complete());
  EXPECT_EQ(p.head().framing, BodyFraming::kChunked);
}

TEST(RequestParser, ContentLengthBounds) {
  RequestParser p;
  ASSERT_TRUE(p.parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n")
                  .complete());
  EXPECT_EQ(p.head().content_length, 9223372036854775807u);
  p.reset();
  ASSERT_TRUE(p.parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n").complete());
  EXPECT_EQ(p.head().content_length, 7u);
  p.reset();
  ASSERT_TRUE(p.parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").complete());
  EXPECT_EQ(p.head().framing, BodyFraming::kContentLength);
  EXPECT_EQ(p.head().content_length, 0u);
}

TEST(RequestParser, ConnectionOptionsMarkHopByHopHeaders) {
  RequestParser p;
  ASSERT_TRUE(p.parse("GET / HTTP/1.1\r\nX-Secret: 1\r\nHost: a\r\nContent-Length: 0\r\n"
                      "Connection: x-secret, content-length, host, x-later\r\nX-Later: 2\r\n"
                      "X-Kept: 3\r\n\r\n")
                  .complete());
  const RequestHead& h = p.head();
  EXPECT_TRUE(h.has_connection_options);
  EXPECT_TRUE(find(h, "X-Secret")->connection_option);
  EXPECT_TRUE(find(h, "X-Later")->connection_option);
  EXPECT_FALSE(find(h, "X-Kept")->connection_option);
  EXPECT_FALSE(find(h, "Host")->connection_option);
  EXPECT_FALSE(find(h, "Content-Length")->connection_option);
  p.reset();
  ASSERT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").complete());
  EXPECT_FALSE(p.head().has_connection_options);
}

TEST(RequestParser, LimitsAreConfigurable) {
  Limits limits;
  limits.max_request_line = 16;
  limits.max_header_bytes = 32;
  limits.max_headers = 2;
  RequestParser p(limits);
  // Request line of exactly 16 bytes passes, 17 fails.
  EXPECT_TRUE(p.parse("GET /01 HTTP/1.1\r\nHost: a\r\n\r\n").complete());
  p.reset();
  ParseResult r = p.parse("GET /012 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(r.error, ParseError::kRequestLineTooLong);
  EXPECT_EQ(r.http_status, 414);
  // Detected before the line ends: the limit bounds buffering.
  p.reset();
  r = p.parse("GET /0123456789abcdef");
  EXPECT_EQ(r.http_status, 414);
  p.reset();
  r = p.parse("GET / HTTP/1.1\r\nHost: a\r\nA: b\r\nC: d\r\n\r\n");
  EXPECT_EQ(r.error, ParseError::kTooManyHeaders);
  EXPECT_EQ(r.http_status, 431);
  p.reset();
  r = p.parse("GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789012345678901234");
  EXPECT_EQ(r.error, ParseError::kHeadersTooLarge);
  EXPECT_EQ(r.http_status, 431);
  // Exactly at the header-byte limit (32 bytes including the final CRLF).
  p.reset();
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789012345\r\n\r\n").complete());
  p.reset();
  EXPECT_EQ(p.parse("GET / HTTP/1.1\r\nHost: a\r\nX: 01234567890123456\r\n\r\n").error,
            ParseError::kHeadersTooLarge);
}

TEST(RequestParser, LimitsHoldWhenAFirstReadEndsBetweenLines) {
  Limits limits;
  limits.max_header_bytes = 32;
  RequestParser p(limits);
  // Complete, valid lines already over the limit, the head not finished yet.
  const ParseResult r = p.parse("GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789012345678901234567\r\n");
  EXPECT_EQ(r.error, ParseError::kHeadersTooLarge);
  p.reset();
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\n").incomplete());
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\nX: 0\r\n").incomplete());
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\nX: 0\r\n\r\n").complete());
}

TEST(RequestParser, ErrorIsStickyUntilReset) {
  RequestParser p;
  const ParseResult r = p.parse("GET / HTTP/1.1\nHost: a\r\n\r\n");
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.error, ParseError::kBareLf);
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").failed());
  p.reset();
  EXPECT_TRUE(p.parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").complete());
}

TEST(RequestParser, LeadingEmptyLinesAreSkipped) {
  RequestParser p;
  const std::string_view raw = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const ParseResult r = p.parse(raw);
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.consumed, raw.size());
  EXPECT_EQ(p.head().head_size, raw.size() - 4);
  EXPECT_EQ(p.head().request_line, "GET / HTTP/1.1");
}

TEST(RequestParser, HeaderIdsAreCaseInsensitive) {
  EXPECT_EQ(header_id_from("CONTENT-LENGTH"), HeaderId::kContentLength);
  EXPECT_EQ(header_id_from("transfer-encoding"), HeaderId::kTransferEncoding);
  EXPECT_EQ(header_id_from("X-Forwarded-For"), HeaderId::kXForwardedFor);
  EXPECT_EQ(header_id_from("TE"), HeaderId::kTe);
  EXPECT_EQ(header_id_from("Content-Lengths"), HeaderId::kOther);
  EXPECT_EQ(header_id_from(""), HeaderId::kOther);
}

TEST(RequestParser, ErrorStatuses) {
  EXPECT_EQ(status_for(ParseError::kRequestLineTooLong), 414);
  EXPECT_EQ(status_for(ParseError::kHeadersTooLarge), 431);
  EXPECT_EQ(status_for(ParseError::kTooManyHeaders), 431);
  EXPECT_EQ(status_for(ParseError::kUnsupportedTransferCoding), 501);
  EXPECT_EQ(status_for(ParseError::kUnsupportedVersion), 505);
  EXPECT_EQ(status_for(ParseError::kBareCr), 400);
  EXPECT_EQ(to_string(ParseError::kObsFold), "obsolete line folding");
}

}  // namespace
}  // namespace flotilla::http
