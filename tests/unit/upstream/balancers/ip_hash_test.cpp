#include "upstream/balancers/ip_hash.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "balancer_test_support.hpp"

namespace flotilla::upstream {
namespace {

using testing::all_candidates;
using testing::member_for;
using testing::Members;

class IpHashTest : public ::testing::Test {
 protected:
  void use(const Members& m) {
    balancer_.set_members(m.members);
    candidates_ = all_candidates(m.members);
  }
  int member(std::string_view ip) { return member_for(balancer_, candidates_, ip, rng_); }

  IpHash balancer_;
  std::vector<Candidate> candidates_;
  Prng rng_{1};
};

// Values computed with nginx's formula: hash = (hash × 113 + byte) mod 6271 from 89, over
// 192, 168, 1 → 154 (mod 5 = 4); rehashes give 5654 (4), 1196 (1).
TEST_F(IpHashTest, MatchesNginxHash) {
  use(Members::numbered(5));
  EXPECT_EQ(member("192.168.1.77"), 4);
  candidates_.erase(candidates_.begin() + 4);
  EXPECT_EQ(member("192.168.1.77"), 1);
}

TEST_F(IpHashTest, GroupsAWholeSlash24) {
  use(Members::numbered(4));
  const int first = member("10.1.2.0");
  for (int host = 1; host < 256; ++host) EXPECT_EQ(member("10.1.2." + std::to_string(host)), first);
}

TEST_F(IpHashTest, SpreadsDifferentNetworks) {
  use(Members::numbered(3));
  std::vector<int> counts(3, 0);
  for (int net = 0; net < 3000; ++net) {
    ++counts[member("10." + std::to_string(net / 256) + "." + std::to_string(net % 256) + ".9")];
  }
  for (int c : counts) EXPECT_GT(c, 600);
}

TEST_F(IpHashTest, DownEndpointMovesOnlyItsClients) {
  use(Members::numbered(4));
  std::vector<int> before;
  for (int net = 0; net < 500; ++net)
    before.push_back(
        member("172.16." + std::to_string(net % 256) + "." + std::to_string(net / 256)));
  candidates_.erase(candidates_.begin() + 2);
  for (int net = 0; net < 500; ++net) {
    const int now = member("172.16." + std::to_string(net % 256) + "." + std::to_string(net / 256));
    EXPECT_NE(now, 2);
    if (before[net] != 2) {
      EXPECT_EQ(now, before[net]);
    }
  }
}

TEST_F(IpHashTest, Ipv6UsesTheWholeAddressAndMappedIpv4CountsAsIpv4) {
  use(Members::numbered(5));
  std::set<int> seen;
  for (int last = 0; last < 64; ++last) seen.insert(member("2001:db8::" + std::to_string(last)));
  EXPECT_GT(seen.size(), 1U);
  EXPECT_EQ(member("::ffff:192.168.1.77"), member("192.168.1.77"));
}

TEST_F(IpHashTest, NonAddressHashesLikeNginxPseudoAddress) {
  use(Members::numbered(3));
  EXPECT_EQ(member("unix:"), member("0.0.0.1"));  // both hash the bytes 0, 0, 0
}

TEST_F(IpHashTest, AllMembersDownButOneStillPicksIt) {
  use(Members::numbered(5));
  candidates_ = {candidates_[0]};
  for (int net = 0; net < 50; ++net) EXPECT_EQ(member("10.9." + std::to_string(net) + ".1"), 0);
}

}  // namespace
}  // namespace flotilla::upstream
