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
  write_plain_response(out, 200, "healthy\n", false);
  expect_well_formed(out, 200);
  EXPECT_EQ(out.find("Connection: close"), std::string::npos);
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

}  // namespace
}  // namespace flotilla::gateway
