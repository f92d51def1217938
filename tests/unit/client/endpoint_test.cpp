#include "client/endpoint.hpp"

#include <gtest/gtest.h>

#include "client/exchange.hpp"

namespace flotilla::client {
namespace {

TEST(ParseUrl, ReadsHostPortAndPath) {
  std::string error;
  std::optional<Url> url = parse_url("http://alertmanager:9093/prefix/", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->endpoint.host, "alertmanager");
  EXPECT_EQ(url->endpoint.port, 9093);
  EXPECT_EQ(url->path, "/prefix");
  EXPECT_EQ(url->endpoint.authority(), "alertmanager:9093");
  url = parse_url("http://[::1]", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->endpoint.host, "::1");
  EXPECT_EQ(url->endpoint.port, 80);
  EXPECT_EQ(url->path, "/");
  EXPECT_EQ(url->endpoint.authority(), "[::1]");
  EXPECT_EQ(url->endpoint.display(), "http://[::1]:80");
  url = parse_url("https://example.com", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->endpoint.scheme, Endpoint::Scheme::kHttps);
  EXPECT_EQ(url->endpoint.port, 443);
}

TEST(ParseUrl, RefusesTheRest) {
  std::string error;
  for (const char* text :
       {"ftp://x/", "x:80", "http://", "http://host:", "http://host:0", "http://host:70000",
        "http://host:8a", "http://[::1", "http://[::1]x", "http://u@host/", "http://host/a?b"}) {
    EXPECT_FALSE(parse_url(text, error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
}

TEST(RequestHead, WritesHostUnlessGiven) {
  std::string error;
  Request request;
  request.headers.push_back({"Host", "web/2"});
  request.headers.push_back({"User-Agent", "flotilla-health-check"});
  const std::string head = request_head(Endpoint::tcp("127.0.0.1", 8001), request, error);
  EXPECT_EQ(head,
            "GET / HTTP/1.1\r\nHost: web/2\r\nUser-Agent: flotilla-health-check\r\n"
            "Connection: close\r\n\r\n");
}

}  // namespace
}  // namespace flotilla::client
