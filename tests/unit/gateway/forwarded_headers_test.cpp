#include "gateway/forwarded_headers.hpp"

#include <gtest/gtest.h>

#include "http/request_parser.hpp"

namespace flotilla::gateway {
namespace {

struct Parsed {
  explicit Parsed(std::string text) : raw(std::move(text)) {
    EXPECT_TRUE(parser.parse(raw).complete());
  }
  std::string raw;
  http::RequestParser parser;
};

TEST(ForwardedHeaders, AddsForwardingLinesAndGeneratesAnId) {
  Parsed p("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n");
  std::string out;
  out.reserve(512);
  const ForwardedHeaders f = write_forwarded_headers(
      p.parser.head(), {"10.1.2.3", false}, 0x0123456789abcdefULL, 0xfedcba9876543210ULL, out);
  EXPECT_EQ(out,
            "X-Forwarded-For: 10.1.2.3\r\nX-Real-IP: 10.1.2.3\r\nX-Forwarded-Proto: http\r\n"
            "X-Forwarded-Host: shop.test\r\nVia: 1.1 flotilla\r\n"
            "X-Request-Id: 0123456789abcdeffedcba9876543210\r\n");
  EXPECT_EQ(f.request_id, "0123456789abcdeffedcba9876543210");
  EXPECT_TRUE(f.request_id_generated);
  EXPECT_NE(f.drop & http::header_bit(http::HeaderId::kXForwardedFor), 0u);
}

TEST(ForwardedHeaders, AppendsToEarlierHopsAndKeepsTheClientsId) {
  Parsed p(
      "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2, "
      "3.3.3.3\r\n"
      "X-Request-Id: given-id\r\n\r\n");
  std::string out;
  out.reserve(512);
  const ForwardedHeaders f = write_forwarded_headers(p.parser.head(), {"9.9.9.9", true}, 1, 2, out);
  EXPECT_NE(out.find("X-Forwarded-For: 1.1.1.1, 2.2.2.2, 3.3.3.3, 9.9.9.9\r\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("X-Forwarded-Proto: https\r\n"), std::string::npos);
  EXPECT_EQ(out.find("X-Request-Id"), std::string::npos);
  EXPECT_EQ(f.request_id, "given-id");
  EXPECT_FALSE(f.request_id_generated);
}

}  // namespace
}  // namespace flotilla::gateway

namespace flotilla::gateway {
namespace {

// `Connection: X-Request-Id` makes the client's line hop-by-hop (the head writer drops it): the
// upstream must still get an id, so one is generated and every received line dropped.
TEST(ForwardedHeaders, HopByHopOrEmptyRequestIdIsReplaced) {
  for (const char* raw : {"GET / HTTP/1.1\r\nHost: x\r\nConnection: X-Request-Id\r\n"
                          "X-Request-Id: given-id\r\n\r\n",
                          "GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id:\r\n\r\n"}) {
    Parsed p(raw);
    std::string out;
    out.reserve(512);
    const ForwardedHeaders f =
        write_forwarded_headers(p.parser.head(), {"9.9.9.9", false}, 1, 2, out);
    EXPECT_TRUE(f.request_id_generated) << raw;
    EXPECT_EQ(f.request_id, "00000000000000010000000000000002");
    EXPECT_NE(out.find("X-Request-Id: 00000000000000010000000000000002\r\n"), std::string::npos);
    EXPECT_NE(f.drop & http::header_bit(http::HeaderId::kXRequestId), 0u);
  }
}

}  // namespace
}  // namespace flotilla::gateway
