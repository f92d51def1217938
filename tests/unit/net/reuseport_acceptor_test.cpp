#include "net/reuseport_acceptor.hpp"

#include <gtest/gtest.h>

namespace flotilla::net {
namespace {

const asio::ip::address kLoopback = asio::ip::make_address("127.0.0.1");

TEST(ReuseportAcceptor, ProbeRefusesAPortAGroupListensOn) {
  asio::io_context context;
  std::error_code ec;
  asio::ip::tcp::acceptor group =
      open_reuseport_acceptor(context, asio::ip::tcp::endpoint(kLoopback, 0), ec);
  ASSERT_FALSE(ec) << ec.message();
  const asio::ip::tcp::endpoint taken = group.local_endpoint();
  // A second reuseport socket could join the group: that is what the probe must prevent.
  asio::ip::tcp::acceptor joined = open_reuseport_acceptor(context, taken, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(probe_exclusive_port(taken), asio::error::address_in_use);
}

TEST(ReuseportAcceptor, ProbeAcceptsAFreePortAndPortZero) {
  asio::io_context context;
  std::error_code ec;
  asio::ip::tcp::endpoint endpoint;
  {
    asio::ip::tcp::acceptor group =
        open_reuseport_acceptor(context, asio::ip::tcp::endpoint(kLoopback, 0), ec);
    ASSERT_FALSE(ec) << ec.message();
    endpoint = group.local_endpoint();
  }
  EXPECT_FALSE(probe_exclusive_port(endpoint));
  EXPECT_FALSE(probe_exclusive_port(asio::ip::tcp::endpoint(kLoopback, 0)));
  // The probe holds nothing afterwards: the group binds the port it checked.
  asio::ip::tcp::acceptor group = open_reuseport_acceptor(context, endpoint, ec);
  EXPECT_FALSE(ec) << ec.message();
}

}  // namespace
}  // namespace flotilla::net
