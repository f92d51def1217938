#include "upstream/balancers/consistent_hash.hpp"

#include <gtest/gtest.h>

#include <string>

#include "balancer_test_support.hpp"

namespace flotilla::upstream {
namespace {

using testing::all_candidates;
using testing::member_for;
using testing::Members;

constexpr int kKeys = 10'000;

std::string client_key(int i) {
  return "client-" + std::to_string(i);
}

// The endpoint key each client maps to, for a balancer built over `m` with `candidates`.
std::vector<std::string> assignment(const Members& m, const std::vector<Candidate>& candidates) {
  ConsistentHash ch;
  ch.set_members(m.members);
  Prng rng(1);
  std::vector<std::string> out;
  for (int i = 0; i < kKeys; ++i)
    out.push_back(m.keys[member_for(ch, candidates, client_key(i), rng)]);
  return out;
}

TEST(ConsistentHash, SameKeySameEndpoint) {
  const Members m = Members::numbered(5);
  ConsistentHash ch;
  ch.set_members(m.members);
  const auto candidates = all_candidates(m.members);
  Prng rng(1);
  for (int i = 0; i < 100; ++i) {
    const int first = member_for(ch, candidates, client_key(i), rng);
    for (int again = 0; again < 3; ++again)
      EXPECT_EQ(member_for(ch, candidates, client_key(i), rng), first);
  }
}

TEST(ConsistentHash, SpreadsKeysEvenly) {
  const Members m = Members::numbered(10);
  const auto keys = assignment(m, all_candidates(m.members));
  for (const std::string& endpoint : m.keys) {
    const auto share = std::count(keys.begin(), keys.end(), endpoint) / double(kKeys);
    EXPECT_NEAR(share, 0.10, 0.03) << endpoint;
  }
}

TEST(ConsistentHash, RemovingAnEndpointMovesOnlyItsKeys) {
  const Members ten = Members::numbered(10);
  std::vector<std::string> nine_keys = ten.keys;
  nine_keys.erase(nine_keys.begin() + 3);
  const Members nine(nine_keys);

  const auto before = assignment(ten, all_candidates(ten.members));
  const auto after = assignment(nine, all_candidates(nine.members));
  int moved = 0;
  for (int i = 0; i < kKeys; ++i) {
    if (before[i] == after[i]) continue;
    ++moved;
    EXPECT_EQ(before[i], ten.keys[3]) << "key " << i << " moved off a surviving endpoint";
  }
  EXPECT_NEAR(moved / double(kKeys), 0.10, 0.03);
}

TEST(ConsistentHash, AddingAnEndpointTakesKeysOnlyForItself) {
  const Members ten = Members::numbered(10);
  const Members eleven = Members::numbered(11);
  const auto before = assignment(ten, all_candidates(ten.members));
  const auto after = assignment(eleven, all_candidates(eleven.members));
  for (int i = 0; i < kKeys; ++i) {
    if (before[i] != after[i]) {
      EXPECT_EQ(after[i], eleven.keys[10]);
    }
  }
}

TEST(ConsistentHash, IneligibleEndpointFallsBackDeterministically) {
  const Members m = Members::numbered(10);
  const auto all = all_candidates(m.members);
  auto without_3 = all;
  without_3.erase(without_3.begin() + 3);
  const auto before = assignment(m, all);
  const auto during = assignment(m, without_3);
  const auto again = assignment(m, without_3);
  EXPECT_EQ(during, again);
  for (int i = 0; i < kKeys; ++i) {
    if (before[i] != m.keys[3]) {
      EXPECT_EQ(during[i], before[i]);
    }
    EXPECT_NE(during[i], m.keys[3]);
  }
}

TEST(ConsistentHash, EmptyKeyFallsBackToRoundRobin) {
  const Members m = Members::numbered(3);
  ConsistentHash ch;
  ch.set_members(m.members);
  Prng rng(1);
  const auto counts = testing::count_members(ch, all_candidates(m.members), 3, 30, rng);
  EXPECT_EQ(counts, (std::vector<int>{10, 10, 10}));
}

TEST(ConsistentHash, WeightsScaleTheShare) {
  const Members m(std::vector<std::string>{"a:80", "b:80"}, {3, 1});
  const auto keys = assignment(m, all_candidates(m.members));
  EXPECT_NEAR(std::count(keys.begin(), keys.end(), "a:80") / double(kKeys), 0.75, 0.04);
}

TEST(ConsistentHash, NoCandidatesNoPick) {
  const Members m = Members::numbered(3);
  ConsistentHash ch;
  ch.set_members(m.members);
  Prng rng(1);
  EXPECT_FALSE(ch.pick({"key", rng}, {}).has_value());
}

}  // namespace
}  // namespace flotilla::upstream
