#include "gateway/error_response.hpp"

#include <gtest/gtest.h>

#include "http/request_parser.hpp"

namespace flotilla::gateway {
namespace {

TEST(ErrorResponse, TextBodyIsTheDetailOrTheReason) {
  std::string out;
  EXPECT_EQ(write_error_body(out, {.status = 502, .json = false, .detail = {}}), "Bad Gateway\n");
  EXPECT_EQ(write_error_body(out, {.status = 404, .json = false, .detail = "no route for /x"}),
            "no route for /x\n");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
  EXPECT_EQ(reason_phrase(405), "Method Not Allowed");
}

TEST(ErrorResponse, JsonBody) {
  std::string out;
  EXPECT_EQ(write_error_body(out, {.status = 503, .json = true, .detail = {}}),
            R"({"error":"Service Unavailable","status":503,"detail":"Service Unavailable"})"
            "\n");
  EXPECT_EQ(write_error_body(out, {.status = 405, .json = true, .detail = "TRACE is off"}),
            R"({"error":"Method Not Allowed","status":405,"detail":"TRACE is off"})"
            "\n");
  // `out` is replaced, not appended to.
  write_error_body(out, {.status = 502, .json = false, .detail = {}});
  EXPECT_EQ(out, "Bad Gateway\n");
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

TEST(ErrorResponse, NoReadyEndpointNamesTheUpstream) {
  std::string out;
  const std::string_view detail = no_ready_endpoint_detail("app");
  EXPECT_EQ(detail, "upstream 'app' has no ready endpoint");
  EXPECT_EQ(write_error_body(out, {503, true, detail}),
            R"({"error":"Service Unavailable","status":503,"detail":"upstream 'app' has no )"
            R"(ready endpoint"})"
            "\n");
  EXPECT_EQ(no_ready_endpoint_detail("web"), "upstream 'web' has no ready endpoint");
}

}  // namespace
}  // namespace flotilla::gateway
