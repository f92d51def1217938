// Response head parsing: framing by status and request method, persistence, status lines.
// Tests only the public API of response_parser.hpp.
#include "http/response_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace flotilla::http {
namespace {

ResponseHead parse_ok(ResponseParser& p, std::string_view raw, Method method = Method::kGet) {
  p.reset(method);
  const ParseResult r = p.parse(raw);
  EXPECT_TRUE(r.complete()) << raw << ": " << to_string(r.error);
  return p.head();
}

constexpr std::string_view kJsonResponse =
    "HTTP/1.1 200 OK\r\n"
    "Date: Tue, 21 Nov 2023 23:31:00 GMT\r\n"
    "Content-Type: application/json; charset=utf-8\r\n"
    "Content-Length: 27\r\n"
    "Connection: keep-alive\r\n"
    "Cache-Control: no-store\r\n"
    "Vary: Accept-Encoding\r\n"
    "X-Request-Id: 3f2a9c\r\n"
    "Server: uvicorn\r\n"
    "\r\n";

TEST(ResponseParser, ParsesAJsonResponse) {
  ResponseParser p;
  const ResponseHead h = parse_ok(p, kJsonResponse);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.reason, "OK");
  EXPECT_EQ(h.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(h.version, Version::kHttp11);
  EXPECT_EQ(h.framing, BodyFraming::kContentLength);
  EXPECT_EQ(h.content_length, 27u);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_FALSE(h.informational);
  EXPECT_FALSE(h.upgrade);
  ASSERT_EQ(h.headers.size(), 8u);
  EXPECT_EQ(h.headers[0].id, HeaderId::kDate);
  EXPECT_EQ(h.headers[1].id, HeaderId::kContentType);
  EXPECT_EQ(h.headers[6].id, HeaderId::kXRequestId);
  EXPECT_EQ(h.head_size, kJsonResponse.size());
}

TEST(ResponseParser, ByteByByteGivesTheSameHead) {
  ResponseParser p;
  std::string buffer;
  ParseResult r;
  for (const char c : kJsonResponse) {
    buffer.push_back(c);
    r = p.parse(buffer);
  }
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.consumed, kJsonResponse.size());
  EXPECT_EQ(p.head().content_length, 27u);
  EXPECT_EQ(p.head().headers.size(), 8u);
}

TEST(ResponseParser, Framings) {
  ResponseParser p;
  EXPECT_EQ(parse_ok(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").framing,
            BodyFraming::kChunked);
  const ResponseHead close = parse_ok(p, "HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_EQ(close.framing, BodyFraming::kUntilClose);
  EXPECT_FALSE(close.keep_alive);
  EXPECT_EQ(parse_ok(p, "HTTP/1.1 204 No Content\r\n\r\n").framing, BodyFraming::kNone);
  EXPECT_TRUE(parse_ok(p, "HTTP/1.1 204 No Content\r\n\r\n").keep_alive);
  const ResponseHead not_modified =
      parse_ok(p, "HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\n\r\n");
  EXPECT_EQ(not_modified.framing, BodyFraming::kNone);
  EXPECT_EQ(not_modified.content_length, 42u);
}

TEST(ResponseParser, HeadResponseHasNoBody) {
  ResponseParser p;
  const ResponseHead h =
      parse_ok(p, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", Method::kHead);
  EXPECT_EQ(h.framing, BodyFraming::kNone);
  EXPECT_EQ(h.content_length, 1000u);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_EQ(
      parse_ok(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Method::kHead).framing,
      BodyFraming::kNone);
  EXPECT_EQ(parse_ok(p, "HTTP/1.1 200 OK\r\n\r\n", Method::kHead).framing, BodyFraming::kNone);
}

TEST(ResponseParser, Informational) {
  ResponseParser p;
  const ResponseHead cont = parse_ok(p, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_TRUE(cont.informational);
  EXPECT_EQ(cont.framing, BodyFraming::kNone);
  const ResponseHead early = parse_ok(p, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");
  EXPECT_TRUE(early.informational);
  const ResponseHead sw = parse_ok(
      p, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  EXPECT_TRUE(sw.upgrade);
  EXPECT_FALSE(sw.informational);
  EXPECT_EQ(sw.upgrade_protocol, "websocket");
  EXPECT_EQ(sw.framing, BodyFraming::kNone);
}

TEST(ResponseParser, ConnectSuccessIsATunnel) {
  ResponseParser p;
  EXPECT_EQ(parse_ok(p, "HTTP/1.1 200 Connection Established\r\n\r\n", Method::kConnect).framing,
            BodyFraming::kNone);
  EXPECT_EQ(parse_ok(p, "HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\n", Method::kConnect).framing,
            BodyFraming::kContentLength);
}

TEST(ResponseParser, Http10Persistence) {
  ResponseParser p;
  EXPECT_FALSE(parse_ok(p, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(parse_ok(p, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")
                  .keep_alive);
  EXPECT_FALSE(
      parse_ok(p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").keep_alive);
}

TEST(ResponseParser, StatusLineForms) {
  ResponseParser p;
  EXPECT_EQ(parse_ok(p, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").reason, "");
  EXPECT_EQ(parse_ok(p, "HTTP/1.1 404 Not  Found \r\nContent-Length: 0\r\n\r\n").reason,
            "Not  Found ");
  EXPECT_EQ(parse_ok(p, "HTTP/1.1 599 x\r\nContent-Length: 0\r\n\r\n").status, 599);
  p.reset();
  ParseResult r = p.parse("HTTP/1.1 099 x\r\n\r\n");
  EXPECT_EQ(r.error, ParseError::kInvalidStatusCode);
  EXPECT_EQ(r.http_status, 502);
  p.reset();
  r = p.parse("HTTP/1.1 200 O\x01K\r\n\r\n");
  EXPECT_EQ(r.error, ParseError::kInvalidStatusLine);
  p.reset();
  r = p.parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n");
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(p.head().headers[1].id, HeaderId::kSetCookie);
  EXPECT_EQ(p.head().headers[2].value, "b");
}

TEST(ResponseParser, ResetKeepsMethodPerResponse) {
  ResponseParser p;
  p.reset(Method::kHead);
  ASSERT_TRUE(p.parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").complete());
  EXPECT_EQ(p.head().framing, BodyFraming::kNone);
  p.reset();
  ASSERT_TRUE(p.parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").complete());
  EXPECT_EQ(p.head().framing, BodyFraming::kContentLength);
}

}  // namespace
}  // namespace flotilla::http

namespace flotilla::http {
namespace {

// Found by the differential fuzzer: Host is a request field (RFC 9112 §3.2); a response that
// carries it, even twice or with a space, is framed like any other response.
TEST(ResponseParser, HostIsAnOrdinaryFieldInResponses) {
  ResponseParser p;
  const std::string raw = "HTTP/1.1 200 OK\r\nHost: a\r\nHost: a b\r\nContent-Length: 0\r\n\r\n";
  const ParseResult r = p.parse(raw);
  ASSERT_TRUE(r.complete()) << to_string(r.error);
  EXPECT_EQ(p.head().status, 200);
  EXPECT_EQ(p.head().headers.size(), 3u);
}

}  // namespace
}  // namespace flotilla::http
