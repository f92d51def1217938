#include "gateway/client_address.hpp"

#include <gtest/gtest.h>

#include <string>

#include "http/request_parser.hpp"

namespace flotilla::gateway {
namespace {

struct ForwardedHead {
  explicit ForwardedHead(std::string lines)
      : raw("GET / HTTP/1.1\r\nHost: x\r\n" + lines + "\r\n") {
    EXPECT_TRUE(parser.parse(raw).complete());
  }
  std::string raw;
  http::RequestParser parser;
};

net::IpAddress hop_ip(std::string_view text) {
  return net::IpAddress::parse(text).value();
}

std::string resolve_text(std::string_view peer, std::string lines,
                         std::vector<std::string_view> trusted = {"10.0.0.0/8", "fd00::/8"}) {
  std::vector<net::Cidr> blocks;
  for (std::string_view block : trusted) blocks.push_back(net::Cidr::parse(block).value());
  const ForwardedHead head(std::move(lines));
  const net::IpAddress client =
      resolve_client_address(hop_ip(peer), net::CidrSet(std::move(blocks)), head.parser.head());
  char out[46];
  return std::string(out, client.format(out));
}

TEST(ClientAddress, UntrustedPeerIsTheClientWhateverItSays) {
  EXPECT_EQ(resolve_text("203.0.113.5", "X-Forwarded-For: 1.2.3.4\r\n"), "203.0.113.5");
  EXPECT_EQ(resolve_text("203.0.113.5", "Forwarded: for=1.2.3.4\r\n"), "203.0.113.5");
  EXPECT_EQ(resolve_text("10.0.0.1", "X-Forwarded-For: 1.2.3.4\r\n", {}), "10.0.0.1");
}

TEST(ClientAddress, TrustedPeerGivesTheRightmostUntrustedHop) {
  EXPECT_EQ(resolve_text("10.0.0.1", "X-Forwarded-For: 1.2.3.4\r\n"), "1.2.3.4");
  // The client prepended a lie; the trusted proxies appended what they saw.
  EXPECT_EQ(resolve_text("10.0.0.1", "X-Forwarded-For: 6.6.6.6, 198.51.100.7, 10.1.1.1\r\n"),
            "198.51.100.7");
  // Several lines are one list, in order.
  EXPECT_EQ(resolve_text("10.0.0.1", "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 10.2.2.2\r\n"),
            "6.6.6.6");
  EXPECT_EQ(resolve_text("10.0.0.1", "X-Forwarded-For: 2001:db8::7, fd00::1\r\n"), "2001:db8::7");
  EXPECT_EQ(resolve_text("10.0.0.1", "X-Forwarded-For: 192.0.2.9:4711\r\n"), "192.0.2.9");
}

TEST(ClientAddress, AllTrustedGivesTheLeftmostAndGarbageStopsTheWalk) {
  EXPECT_EQ(resolve_text("10.0.0.1", "X-Forwarded-For: 10.3.3.3, 10.2.2.2\r\n"), "10.3.3.3");
  EXPECT_EQ(resolve_text("10.0.0.1", "X-Forwarded-For: 1.1.1.1, nonsense, 10.2.2.2\r\n"),
            "10.2.2.2");
  EXPECT_EQ(resolve_text("10.0.0.1", "X-Forwarded-For: nonsense\r\n"), "10.0.0.1");
  EXPECT_EQ(resolve_text("10.0.0.1", ""), "10.0.0.1");
}

TEST(ClientAddress, ForwardedWhenNoXForwardedFor) {
  EXPECT_EQ(resolve_text("10.0.0.1", "Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43\r\n"),
            "192.0.2.60");
  EXPECT_EQ(
      resolve_text("10.0.0.1",
                   "Forwarded: for=6.6.6.6, For=\"[2001:db8:cafe::17]:4711\", for=10.9.9.9\r\n"),
      "2001:db8:cafe::17");
  EXPECT_EQ(resolve_text("10.0.0.1", "Forwarded: for=unknown\r\n"), "10.0.0.1");
  EXPECT_EQ(resolve_text("10.0.0.1", "Forwarded: proto=https\r\n"), "10.0.0.1");
  // X-Forwarded-For wins: a trusted proxy appends to it, and may pass Forwarded untouched.
  EXPECT_EQ(resolve_text("10.0.0.1", "Forwarded: for=6.6.6.6\r\nX-Forwarded-For: 1.2.3.4\r\n"),
            "1.2.3.4");
}

TEST(ClientAddress, ParsesHops) {
  EXPECT_EQ(parse_hop("[::1]:80"), hop_ip("::1"));
  EXPECT_EQ(parse_hop("\"1.2.3.4:5\""), hop_ip("1.2.3.4"));
  EXPECT_FALSE(parse_hop("_hidden"));
  EXPECT_FALSE(parse_hop("[::1"));
  EXPECT_FALSE(parse_hop(""));
}

}  // namespace
}  // namespace flotilla::gateway
