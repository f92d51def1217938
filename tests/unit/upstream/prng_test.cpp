#include "upstream/prng.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace flotilla::upstream {
namespace {

TEST(Prng, SameSeedSameSequence) {
  Prng a(123);
  Prng b(123);
  Prng c(124);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differs = differs || x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Prng, BelowIsInRangeAndRoughlyUniform) {
  Prng rng(0);
  std::vector<int> counts(10, 0);
  constexpr int kDraws = 100'000;
  for (int i = 0; i < kDraws; ++i) {
    const auto v = rng.below(10);
    ASSERT_LT(v, 10U);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c / double(kDraws), 0.1, 0.01);
  EXPECT_EQ(rng.below(1), 0U);
}

}  // namespace
}  // namespace flotilla::upstream
