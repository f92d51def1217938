#include "net/ip_address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace flotilla::net {
namespace {

std::string address_text(const IpAddress& address) {
  char out[46];
  return std::string(out, address.format(out));
}

IpAddress parsed_ip(std::string_view s) {
  const auto parsed = IpAddress::parse(s);
  EXPECT_TRUE(parsed) << s;
  return parsed.value_or(IpAddress{});
}

TEST(IpAddress, ParsesAndFormatsBothFamilies) {
  EXPECT_EQ(address_text(parsed_ip("192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(address_text(parsed_ip("0.0.0.0")), "0.0.0.0");
  EXPECT_EQ(address_text(parsed_ip("2001:DB8::1")), "2001:db8::1");
  EXPECT_EQ(address_text(parsed_ip("[2001:db8::1]")), "2001:db8::1");
  EXPECT_FALSE(parsed_ip("2001:db8::1").v6 == false);
}

TEST(IpAddress, MappedIpv6IsIpv4) {
  const IpAddress mapped = parsed_ip("::ffff:10.1.2.3");
  EXPECT_FALSE(mapped.v6);
  EXPECT_EQ(mapped, parsed_ip("10.1.2.3"));
}

TEST(IpAddress, RefusesWhatIsNotAnAddress) {
  for (std::string_view bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "fe80::1%eth0", "x",
                               "1.2.3.4:80", "[1.2.3.4", "01.2.3.4 "}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
}

TEST(Cidr, MatchesIpv4Prefixes) {
  const Cidr block = Cidr::parse("10.0.0.0/8").value();
  EXPECT_TRUE(block.contains(parsed_ip("10.255.1.2")));
  EXPECT_FALSE(block.contains(parsed_ip("11.0.0.0")));
  const Cidr odd = Cidr::parse("192.168.4.0/22").value();
  EXPECT_TRUE(odd.contains(parsed_ip("192.168.7.255")));
  EXPECT_FALSE(odd.contains(parsed_ip("192.168.8.0")));
  EXPECT_FALSE(odd.contains(parsed_ip("192.168.3.255")));
  const Cidr everything = Cidr::parse("0.0.0.0/0").value();
  EXPECT_TRUE(everything.contains(parsed_ip("203.0.113.9")));
  EXPECT_FALSE(everything.contains(parsed_ip("::1")));  // families never mix
}

TEST(Cidr, MatchesIpv6Prefixes) {
  const Cidr block = Cidr::parse("2001:db8::/32").value();
  EXPECT_TRUE(block.contains(parsed_ip("2001:db8:ffff::1")));
  EXPECT_FALSE(block.contains(parsed_ip("2001:db9::1")));
  const Cidr host = Cidr::parse("::1").value();
  EXPECT_EQ(host.prefix, 128);
  EXPECT_TRUE(host.contains(parsed_ip("::1")));
  EXPECT_FALSE(host.contains(parsed_ip("::2")));
  const Cidr nibble = Cidr::parse("2001:db8:abc0::/44").value();
  EXPECT_TRUE(nibble.contains(parsed_ip("2001:db8:abcf::")));
  EXPECT_FALSE(nibble.contains(parsed_ip("2001:db8:abd0::")));
  // A mapped block names IPv4 clients.
  const Cidr mapped = Cidr::parse("::ffff:10.0.0.0/104").value();
  EXPECT_TRUE(mapped.contains(parsed_ip("10.9.9.9")));
}

TEST(Cidr, RefusesBadBlocks) {
  for (std::string_view bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x",
                               "2001:db8::/129", "2001:db8::1/32", "/8", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
  }
}

TEST(CidrSet, AnyBlockMatches) {
  const CidrSet set({Cidr::parse("127.0.0.0/8").value(), Cidr::parse("fd00::/8").value()});
  EXPECT_TRUE(set.contains(parsed_ip("127.0.0.2")));
  EXPECT_TRUE(set.contains(parsed_ip("fd12::3")));
  EXPECT_FALSE(set.contains(parsed_ip("128.0.0.1")));
  EXPECT_FALSE(CidrSet().contains(parsed_ip("127.0.0.1")));
}

}  // namespace
}  // namespace flotilla::net
