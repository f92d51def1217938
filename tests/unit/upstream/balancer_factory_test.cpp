#include "upstream/balancer_factory.hpp"

#include <gtest/gtest.h>

#include "upstream/balancers/consistent_hash.hpp"
#include "upstream/balancers/ip_hash.hpp"
#include "upstream/balancers/least_conn.hpp"
#include "upstream/balancers/random_two.hpp"
#include "upstream/balancers/round_robin.hpp"

namespace flotilla::upstream {
namespace {

template <typename Expected>
bool makes(BalanceKind kind) {
  const auto balancer = make_balancer(kind);
  return dynamic_cast<const Expected*>(balancer.get()) != nullptr;
}

TEST(BalancerFactory, MakesThePolicyOfEachKind) {
  EXPECT_TRUE(makes<RoundRobin>(BalanceKind::round_robin));
  EXPECT_TRUE(makes<LeastConn>(BalanceKind::least_conn));
  EXPECT_TRUE(makes<RandomTwo>(BalanceKind::random_two));
  EXPECT_TRUE(makes<ConsistentHash>(BalanceKind::consistent_hash));
  EXPECT_TRUE(makes<IpHash>(BalanceKind::ip_hash));
}

TEST(BalancerFactory, NamesRoundTrip) {
  for (const auto kind :
       {BalanceKind::round_robin, BalanceKind::least_conn, BalanceKind::random_two,
        BalanceKind::consistent_hash, BalanceKind::ip_hash}) {
    EXPECT_EQ(balance_kind_from_name(balance_kind_name(kind)), kind);
  }
  EXPECT_EQ(balance_kind_from_name("least_conn"), BalanceKind::least_conn);
  EXPECT_FALSE(balance_kind_from_name("leastconn").has_value());
  EXPECT_FALSE(balance_kind_from_name("").has_value());
}

}  // namespace
}  // namespace flotilla::upstream
