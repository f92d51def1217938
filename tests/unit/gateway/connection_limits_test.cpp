#include "gateway/connection_limits.hpp"

#include <gtest/gtest.h>

namespace flotilla::gateway {
namespace {

using observe::ConnectionRefusal;

std::vector<ListenerSettings> two_listeners(std::uint32_t max_a, std::uint32_t per_client_a,
                                            std::uint32_t global) {
  std::vector<ListenerSettings> out(2);
  out[0].max_connections = max_a;
  out[0].max_connections_per_client = per_client_a;
  for (ListenerSettings& l : out) l.max_connections_global = global;
  return out;
}

net::IpAddress limit_ip(std::string_view text) {
  return net::IpAddress::parse(text).value();
}

TEST(ConnectionLimits, ListenerCapRefusesAndFreesOnClose) {
  ConnectionLimits limits(two_listeners(2, 0, 0));
  EXPECT_FALSE(limits.open(0));
  EXPECT_FALSE(limits.full(0));
  EXPECT_FALSE(limits.open(0));
  EXPECT_TRUE(limits.full(0));
  EXPECT_EQ(limits.open(0), ConnectionRefusal::listener_limit);
  EXPECT_FALSE(limits.open(1));  // the other listener has no cap
  EXPECT_EQ(limits.total(), 3u);
  limits.close(0);
  EXPECT_FALSE(limits.open(0));
}

TEST(ConnectionLimits, GlobalCapCountsEveryListener) {
  ConnectionLimits limits(two_listeners(0, 0, 3));
  EXPECT_FALSE(limits.open(0));
  EXPECT_FALSE(limits.open(1));
  EXPECT_FALSE(limits.open(1));
  EXPECT_TRUE(limits.full(0));
  EXPECT_EQ(limits.open(0), ConnectionRefusal::global_limit);
  EXPECT_EQ(limits.total(), 3u);  // a refusal leaves nothing counted
  limits.close(1);
  EXPECT_FALSE(limits.open(0));
}

TEST(ConnectionLimits, PerClientCountsEachAddressApart) {
  ConnectionLimits limits(two_listeners(0, 2, 0));
  const net::IpAddress a = limit_ip("192.0.2.1");
  const net::IpAddress b = limit_ip("2001:db8::1");
  EXPECT_TRUE(limits.open_client(0, a));
  EXPECT_TRUE(limits.open_client(0, a));
  EXPECT_FALSE(limits.open_client(0, a));
  EXPECT_TRUE(limits.open_client(0, b));
  EXPECT_TRUE(limits.open_client(1, a));  // listener 1 has no per-client limit
  limits.close_client(0, a);
  EXPECT_TRUE(limits.open_client(0, a));
  EXPECT_FALSE(limits.open_client(0, a));
}

}  // namespace
}  // namespace flotilla::gateway
