#include "upstream/balancers/least_conn.hpp"

#include <gtest/gtest.h>

#include "balancer_test_support.hpp"

namespace flotilla::upstream {
namespace {

using testing::all_candidates;
using testing::Members;

class LeastConnTest : public ::testing::Test {
 protected:
  std::optional<std::size_t> pick(const std::vector<Candidate>& candidates) {
    return lc_.pick({{}, rng_}, candidates);
  }
  LeastConn lc_;
  Prng rng_{1};
};

TEST_F(LeastConnTest, PrefersTheLeastLoaded) {
  const Members m = Members::with_weights({1, 1, 1});
  lc_.set_members(m.members);
  auto candidates = all_candidates(m.members);
  candidates[0].in_flight = 3;
  candidates[1].in_flight = 1;
  candidates[2].in_flight = 2;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pick(candidates), 1U);
}

TEST_F(LeastConnTest, LoadIsRelativeToWeight) {
  const Members m = Members::with_weights({2, 1});
  lc_.set_members(m.members);
  auto candidates = all_candidates(m.members);
  candidates[0].in_flight = 3;  // 1.5 per unit of weight
  candidates[1].in_flight = 2;  // 2 per unit
  EXPECT_EQ(pick(candidates), 0U);
  candidates[0].in_flight = 5;  // 2.5 per unit
  EXPECT_EQ(pick(candidates), 1U);
}

TEST_F(LeastConnTest, TiesAreBrokenByRoundRobinNotAlwaysTheFirst) {
  const Members m = Members::with_weights({1, 1, 1});
  lc_.set_members(m.members);
  const auto candidates = all_candidates(m.members);
  std::vector<std::size_t> picks;
  for (int i = 0; i < 6; ++i) picks.push_back(*pick(candidates));
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST_F(LeastConnTest, RoundRobinOnlyAmongTheTied) {
  const Members m = Members::with_weights({1, 1, 1});
  lc_.set_members(m.members);
  auto candidates = all_candidates(m.members);
  candidates[1].in_flight = 4;
  std::vector<std::size_t> picks;
  for (int i = 0; i < 4; ++i) picks.push_back(*pick(candidates));
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 2, 0, 2}));
}

TEST_F(LeastConnTest, WeightedTiesFollowWeights) {
  const Members m = Members::with_weights({2, 1});
  lc_.set_members(m.members);
  const auto candidates = all_candidates(m.members);
  int first = 0;
  for (int i = 0; i < 30; ++i) first += *pick(candidates) == 0 ? 1 : 0;
  EXPECT_EQ(first, 20);
}

TEST_F(LeastConnTest, NoCandidatesNoPick) {
  lc_.set_members({});
  EXPECT_FALSE(pick({}).has_value());
}

}  // namespace
}  // namespace flotilla::upstream
