#include "gateway/request_target.hpp"

#include <gtest/gtest.h>

#include "http/request_parser.hpp"

namespace flotilla::gateway {
namespace {

std::string path_of(std::string raw) {
  http::RequestParser parser;
  EXPECT_TRUE(parser.parse(raw).complete()) << raw;
  return std::string(request_path(parser.head()));
}

TEST(RequestPath, StripsQueryAndScheme) {
  EXPECT_EQ(path_of("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"), "/a/b");
  EXPECT_EQ(path_of("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"), "/a");
  EXPECT_EQ(path_of("GET http://h/a/b?x HTTP/1.1\r\nHost: h\r\n\r\n"), "/a/b");
  EXPECT_EQ(path_of("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n"), "/");
  EXPECT_EQ(path_of("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), "*");
}

std::string origin_of(std::string raw) {
  http::RequestParser parser;
  EXPECT_TRUE(parser.parse(raw).complete()) << raw;
  std::string scratch;
  return std::string(origin_form(parser.head(), scratch));
}

TEST(OriginForm, RewritesAbsoluteFormOnly) {
  EXPECT_EQ(origin_of("GET http://h/a/b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"), "/a/b?x=1");
  EXPECT_EQ(origin_of("GET http://h:81/ HTTP/1.1\r\nHost: h\r\n\r\n"), "/");
  EXPECT_EQ(origin_of("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n"), "/");
  EXPECT_EQ(origin_of("GET http://h?q=1 HTTP/1.1\r\nHost: h\r\n\r\n"), "/?q=1");
  EXPECT_EQ(origin_of("GET https://h/p HTTP/1.1\r\nHost: h\r\n\r\n"), "/p");
  EXPECT_EQ(origin_of("GET /o?u=http://x/ HTTP/1.1\r\nHost: h\r\n\r\n"), "/o?u=http://x/");
  EXPECT_EQ(origin_of("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), "*");
}

TEST(Idempotent, FollowsRfc9110) {
  EXPECT_TRUE(is_idempotent(http::Method::kGet));
  EXPECT_TRUE(is_idempotent(http::Method::kPut));
  EXPECT_TRUE(is_idempotent(http::Method::kDelete));
  EXPECT_FALSE(is_idempotent(http::Method::kPost));
  EXPECT_FALSE(is_idempotent(http::Method::kPatch));
  EXPECT_FALSE(is_idempotent(http::Method::kOther));
}

}  // namespace
}  // namespace flotilla::gateway
