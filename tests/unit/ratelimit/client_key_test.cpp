// Client keys: IPv4 apart, IPv6 by /64, mapped IPv4 as IPv4, parts length-prefixed.
#include "ratelimit/client_key.hpp"

#include <gtest/gtest.h>

namespace flotilla::ratelimit {
namespace {

std::string client(std::string_view ip) {
  std::string key;
  append_client_address(key, ip);
  return key;
}

TEST(ClientKey, Ipv4AddressesAreApart) {
  EXPECT_NE(client("127.0.0.2"), client("127.0.0.3"));
  EXPECT_EQ(client("127.0.0.2"), client("127.0.0.2"));
  EXPECT_EQ(client("10.1.2.3").size(), 5u);
}

TEST(ClientKey, Ipv6CountsBySlash64) {
  EXPECT_EQ(client("2001:db8:1:2::1"), client("2001:db8:1:2:ffff::9"));
  EXPECT_NE(client("2001:db8:1:2::1"), client("2001:db8:1:3::1"));
}

TEST(ClientKey, MappedIpv4IsTheIpv4Address) {
  EXPECT_EQ(client("::ffff:192.0.2.7"), client("192.0.2.7"));
}

TEST(ClientKey, TextPartsCannotRunTogether) {
  std::string a;
  append_text(a, "ab");
  append_text(a, "c");
  std::string b;
  append_text(b, "a");
  append_text(b, "bc");
  EXPECT_NE(a, b);
}

TEST(ClientKey, HashIsSeededAndSpreads) {
  EXPECT_EQ(hash_key("x", 1), hash_key("x", 1));
  EXPECT_NE(hash_key("x", 1), hash_key("x", 2));
  EXPECT_NE(hash_key(client("127.0.0.2"), 1), hash_key(client("127.0.0.3"), 1));
  EXPECT_EQ(hash_key("same"), hash_key("same"));
  // Nearby addresses land in different low bits (the table's index).
  int same_bucket = 0;
  for (int i = 0; i < 256; ++i) {
    const auto a = hash_key(client("10.0.0." + std::to_string(i)), 9);
    const auto b = hash_key(client("10.0.1." + std::to_string(i)), 9);
    same_bucket += (a & 0xffff) == (b & 0xffff) ? 1 : 0;
  }
  EXPECT_LT(same_bucket, 3);
}

}  // namespace
}  // namespace flotilla::ratelimit
