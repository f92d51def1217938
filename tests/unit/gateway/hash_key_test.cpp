#include "gateway/hash_key.hpp"

#include <gtest/gtest.h>

#include "http/request_parser.hpp"

namespace flotilla::gateway {
namespace {

class HashKeyTest : public ::testing::Test {
 protected:
  const http::RequestHead& parse(std::string_view raw) {
    raw_ = raw;
    EXPECT_TRUE(parser_.parse(raw_).complete());
    return parser_.head();
  }
  std::string raw_;
  http::RequestParser parser_;
};

TEST(FindCookie, FindsByExactName) {
  EXPECT_EQ(find_cookie("a=1; session=xyz; b=2", "session"), "xyz");
  EXPECT_EQ(find_cookie("session=xyz", "session"), "xyz");
  EXPECT_EQ(find_cookie("a=1;b=2", "b"), "2");
  EXPECT_EQ(find_cookie("mysession=1; session2=2", "session"), "");
  EXPECT_EQ(find_cookie("", "session"), "");
}

TEST_F(HashKeyTest, ByPolicy) {
  const auto& head =
      parse("GET / HTTP/1.1\r\nHost: x\r\nX-User: alice\r\nCookie: a=1; sid=s-42\r\n\r\n");
  upstream::UpstreamSpec spec;
  spec.balance = upstream::BalanceKind::round_robin;
  EXPECT_EQ(hash_key(head, spec, "10.0.0.1"), "");
  spec.balance = upstream::BalanceKind::ip_hash;
  EXPECT_EQ(hash_key(head, spec, "10.0.0.1"), "10.0.0.1");
  spec.balance = upstream::BalanceKind::consistent_hash;
  spec.hash = {upstream::HashSource::header, "x-user"};
  EXPECT_EQ(hash_key(head, spec, "10.0.0.1"), "alice");
  spec.hash = {upstream::HashSource::cookie, "sid"};
  EXPECT_EQ(hash_key(head, spec, "10.0.0.1"), "s-42");
  spec.hash = {upstream::HashSource::client_ip, ""};
  EXPECT_EQ(hash_key(head, spec, "10.0.0.1"), "10.0.0.1");
  spec.hash = {upstream::HashSource::header, "x-missing"};
  EXPECT_EQ(hash_key(head, spec, "10.0.0.1"), "");
}

}  // namespace
}  // namespace flotilla::gateway
