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

TEST(ForwardedHeaders, AddsForwardingLinesWithTheRequestsId) {
  Parsed p("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n");
  std::string out;
  const std::uint64_t drop =
      write_forwarded_headers(p.parser.head(), {"10.1.2.3", false, {}}, "abc123", out);
  EXPECT_EQ(out,
            "X-Forwarded-For: 10.1.2.3\r\nX-Real-IP: 10.1.2.3\r\nX-Forwarded-Proto: http\r\n"
            "X-Forwarded-Host: shop.test\r\nVia: 1.1 flotilla\r\n"
            "X-Request-Id: abc123\r\n");
  // The client's own forwarding lines and ids are replaced; its Via lines stay (hops append).
  EXPECT_NE(drop & http::header_bit(http::HeaderId::kXForwardedFor), 0u);
  EXPECT_NE(drop & http::header_bit(http::HeaderId::kXRequestId), 0u);
  EXPECT_NE(drop & http::header_bit(http::HeaderId::kXForwardedProto), 0u);
  EXPECT_EQ(drop & http::header_bit(http::HeaderId::kVia), 0u);
}

TEST(ForwardedHeaders, AppendsToEarlierHopsAndSaysHttpsOverTls) {
  Parsed p(
      "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2, "
      "3.3.3.3\r\n"
      "X-Request-Id: given-id\r\n\r\n");
  std::string out;
  write_forwarded_headers(p.parser.head(), {"9.9.9.9", true, {}}, "given-id", out);
  EXPECT_NE(out.find("X-Forwarded-For: 1.1.1.1, 2.2.2.2, 3.3.3.3, 9.9.9.9\r\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("X-Forwarded-Proto: https\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Request-Id: given-id\r\n"), std::string::npos);
}

TEST(ForwardedHeaders, Http10GetsA10Via) {
  Parsed p("GET / HTTP/1.0\r\nHost: x\r\n\r\n");
  std::string out;
  write_forwarded_headers(p.parser.head(), {"9.9.9.9", false, {}}, "id", out);
  EXPECT_NE(out.find("Via: 1.0 flotilla\r\n"), std::string::npos) << out;
}

// Behind trusted proxies the client and the hop differ: X-Real-IP names the client,
// X-Forwarded-For goes on with the peer the gateway saw.
TEST(ForwardedHeaders, RealIpIsTheClientAndTheListEndsWithThePeer) {
  Parsed p("GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.5\r\n\r\n");
  std::string out;
  write_forwarded_headers(p.parser.head(), {"203.0.113.5", false, "10.0.0.1"}, "id", out);
  EXPECT_NE(out.find("X-Forwarded-For: 203.0.113.5, 10.0.0.1\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Real-IP: 203.0.113.5\r\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace flotilla::gateway
