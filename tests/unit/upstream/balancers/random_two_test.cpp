#include "upstream/balancers/random_two.hpp"

#include <gtest/gtest.h>

#include "balancer_test_support.hpp"

namespace flotilla::upstream {
namespace {

using testing::all_candidates;
using testing::count_members;
using testing::Members;

constexpr int kPicks = 100'000;

TEST(RandomTwo, IdleTrafficFollowsWeights) {
  const Members m = Members::with_weights({3, 1});
  RandomTwo balancer;
  balancer.set_members(m.members);
  Prng rng(42);
  const auto counts = count_members(balancer, all_candidates(m.members), 2, kPicks, rng);
  EXPECT_NEAR(counts[0] / double(kPicks), 0.75, 0.02);
  EXPECT_NEAR(counts[1] / double(kPicks), 0.25, 0.02);
}

TEST(RandomTwo, AvoidsTheLoadedEndpoint) {
  const Members m = Members::with_weights({1, 1, 1});
  RandomTwo balancer;
  balancer.set_members(m.members);
  auto candidates = all_candidates(m.members);
  candidates[0].in_flight = 10;
  candidates[1].in_flight = 10;
  Prng rng(7);
  const auto counts = count_members(balancer, candidates, 3, kPicks, rng);
  // The idle one wins whenever it is drawn at least once: 1 - (2/3)^2 = 5/9.
  EXPECT_NEAR(counts[2] / double(kPicks), 5.0 / 9.0, 0.02);
}

TEST(RandomTwo, LoadIsRelativeToWeight) {
  const Members m = Members::with_weights({4, 1});
  RandomTwo balancer;
  balancer.set_members(m.members);
  auto candidates = all_candidates(m.members);
  candidates[0].in_flight = 3;  // 0.75 per unit: less loaded than the other's 1
  candidates[1].in_flight = 1;
  Prng rng(3);
  const auto counts = count_members(balancer, candidates, 2, kPicks, rng);
  // Member 1 wins only when both draws are member 1: (1/5)^2.
  EXPECT_NEAR(counts[1] / double(kPicks), 0.04, 0.01);
}

TEST(RandomTwo, SameSeedSameChoices) {
  const Members m = Members::with_weights({1, 2, 3});
  RandomTwo a;
  RandomTwo b;
  a.set_members(m.members);
  b.set_members(m.members);
  Prng rng_a(9);
  Prng rng_b(9);
  const auto candidates = all_candidates(m.members);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(a.pick({{}, rng_a}, candidates), b.pick({{}, rng_b}, candidates));
}

TEST(RandomTwo, SingleAndEmpty) {
  RandomTwo balancer;
  balancer.set_members({});
  Prng rng(1);
  EXPECT_FALSE(balancer.pick({{}, rng}, {}).has_value());
  const std::vector<Candidate> one{{0, 100, 5}};
  EXPECT_EQ(balancer.pick({{}, rng}, one), 0U);
}

}  // namespace
}  // namespace flotilla::upstream
