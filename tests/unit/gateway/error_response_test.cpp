#include "gateway/error_response.hpp"

#include <gtest/gtest.h>

#include "http/request_parser.hpp"
#include "http/response_parser.hpp"

namespace flotilla::gateway {
namespace {

// Every response we make must parse with our own strict parser and carry its whole body.
void expect_well_formed(const std::string& raw, int status) {
  http::ResponseParser parser;
  const http::ParseResult r = parser.parse(raw);
  ASSERT_TRUE(r.complete()) << raw;
  EXPECT_EQ(parser.head().status, status);
  EXPECT_EQ(parser.head().content_length, raw.size() - r.consumed) << raw;
}

TEST(ErrorResponse, TextAndJsonBodies) {
  std::string out;
  ErrorResponse bad_gateway;
  bad_gateway.status = 502;
  write_error_response(out, bad_gateway);
  expect_well_formed(out, 502);
  EXPECT_NE(out.find("Content-Type: text/plain"), std::string::npos);
  EXPECT_NE(out.find("\r\n\r\nBad Gateway\n"), std::string::npos);

  ErrorResponse unavailable;
  unavailable.status = 503;
  unavailable.json = true;
  unavailable.close = true;
  unavailable.retry_after_seconds = 1;
  unavailable.request_id = "abc";
  write_error_response(out, unavailable);
  expect_well_formed(out, 503);
  EXPECT_NE(out.find("Retry-After: 1\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Request-Id: abc\r\n"), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(
      out.find(R"({"error":"Service Unavailable","status":503,"detail":"Service Unavailable"})"),
      std::string::npos);
}

TEST(ErrorResponse, PlainAnswers) {
  std::string out;
  write_plain_response(out, 200, "healthy\n", false, false);
  expect_well_formed(out, 200);
  EXPECT_EQ(out.find("Connection: close"), std::string::npos);
}

// HEAD: the head a GET would get (its Content-Length too), and not one body byte after it.
TEST(ErrorResponse, HeadRequestsGetNoBody) {
  std::string get;
  std::string head;
  write_plain_response(get, 200, "healthy\n", false, false);
  write_plain_response(head, 200, "healthy\n", false, true);
  EXPECT_EQ(head, get.substr(0, get.size() - 8));
  EXPECT_TRUE(head.ends_with("Content-Length: 8\r\n\r\n")) << head;

  ErrorResponse response;
  response.status = 502;
  response.json = true;
  write_error_response(get, response);
  response.head_only = true;
  write_error_response(head, response);
  ASSERT_TRUE(head.ends_with("\r\n\r\n")) << head;
  EXPECT_EQ(head, get.substr(0, head.size()));
  EXPECT_NE(head.find("Content-Length: " + std::to_string(get.size() - head.size()) + "\r\n"),
            std::string::npos)
      << head;
  http::ResponseParser parser;
  parser.reset(http::Method::kHead);
  const http::ParseResult r = parser.parse(head);
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.consumed, head.size());
}

TEST(ErrorResponse, PrefersJsonOnlyWhenAsked) {
  http::RequestParser parser;
  std::string raw = "GET / HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n";
  ASSERT_TRUE(parser.parse(raw).complete());
  EXPECT_TRUE(prefers_json(parser.head()));
  http::RequestParser plain;
  std::string raw2 = "GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n";
  ASSERT_TRUE(plain.parse(raw2).complete());
  EXPECT_FALSE(prefers_json(plain.head()));
}

TEST(ErrorResponse, PrefersJsonFromRawBytesOfARejectedHead) {
  EXPECT_TRUE(prefers_json_raw("GET / HTTP/1.1\r\nHost: x\r\nACCEPT: application/json\r\n"));
  EXPECT_TRUE(prefers_json_raw("GET / HTTP/9.9\r\naccept:application/problem+json\r\n\r\n"));
  EXPECT_FALSE(prefers_json_raw("GET / HTTP/1.1\r\nAccept: text/html\r\n\r\n"));
  // Only field lines of the head count: not the request line, not a body after the head.
  EXPECT_FALSE(prefers_json_raw("GET /accept:json HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_FALSE(prefers_json_raw("GET / HTTP/1.1\r\nHost: x\r\n\r\nAccept: json\r\n"));
  EXPECT_FALSE(prefers_json_raw("GET / HTTP/1.1\r\nX-Accept: json\r\n"));
}

TEST(ErrorResponse, DateWhenGiven) {
  std::string out;
  ErrorResponse response;
  response.status = 404;
  response.date = "Sun, 06 Nov 1994 08:49:37 GMT";
  write_error_response(out, response);
  expect_well_formed(out, 404);
  EXPECT_NE(out.find("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"), std::string::npos);
  write_plain_response(out, 200, "ok\n", false, false, "Sun, 06 Nov 1994 08:49:37 GMT");
  expect_well_formed(out, 200);
  EXPECT_NE(out.find("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"), std::string::npos);
}

}  // namespace
}  // namespace flotilla::gateway
