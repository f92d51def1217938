#include "upstream/balancers/round_robin.hpp"

#include <gtest/gtest.h>

#include <string>

#include "balancer_test_support.hpp"

namespace flotilla::upstream {
namespace {

using testing::all_candidates;
using testing::Members;

std::string sequence(RoundRobin& rr, const std::vector<Candidate>& candidates, int picks) {
  Prng rng(1);
  std::string out;
  for (int i = 0; i < picks; ++i) {
    const auto chosen = rr.pick({{}, rng}, candidates);
    out += chosen ? static_cast<char>('a' + candidates[*chosen].member) : '-';
  }
  return out;
}

TEST(RoundRobin, NginxSmoothSequenceForWeights511) {
  const Members m = Members::with_weights({5, 1, 1});
  RoundRobin rr;
  rr.set_members(m.members);
  EXPECT_EQ(sequence(rr, all_candidates(m.members), 14), "aabacaaaabacaa");
}

TEST(RoundRobin, EqualWeightsCycleInOrder) {
  const Members m = Members::with_weights({1, 1, 1});
  RoundRobin rr;
  rr.set_members(m.members);
  EXPECT_EQ(sequence(rr, all_candidates(m.members), 6), "abcabc");
}

TEST(RoundRobin, IneligibleMemberKeepsItsStateAndOthersShareByWeight) {
  const Members m = Members::with_weights({5, 1, 1});
  RoundRobin rr;
  rr.set_members(m.members);
  auto candidates = all_candidates(m.members);
  candidates.erase(candidates.begin() + 1);  // b is down
  const std::string without_b = sequence(rr, candidates, 12);
  EXPECT_EQ(std::count(without_b.begin(), without_b.end(), 'a'), 10);
  EXPECT_EQ(std::count(without_b.begin(), without_b.end(), 'c'), 2);
  // b comes back with the current_weight it had (0), so it is not favoured to "catch up".
  const std::string with_b = sequence(rr, all_candidates(m.members), 7);
  EXPECT_EQ(std::count(with_b.begin(), with_b.end(), 'b'), 1);
}

TEST(RoundRobin, SlowStartWeightsAreProportional) {
  const Members m = Members::with_weights({1, 1});
  RoundRobin rr;
  rr.set_members(m.members);
  const std::vector<Candidate> candidates{{0, 100, 0}, {1, 25, 0}};  // b ramping at 25%
  const std::string out = sequence(rr, candidates, 50);
  EXPECT_EQ(std::count(out.begin(), out.end(), 'b'), 10);
}

TEST(RoundRobin, NoCandidatesNoPick) {
  RoundRobin rr;
  rr.set_members({});
  Prng rng(1);
  EXPECT_FALSE(rr.pick({{}, rng}, {}).has_value());
}

}  // namespace
}  // namespace flotilla::upstream
