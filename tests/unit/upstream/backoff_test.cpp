#include "upstream/backoff.hpp"

#include <gtest/gtest.h>

namespace flotilla::upstream {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(Backoff, StaysWithinTheExponentialCeiling) {
  const BackoffSpec spec{milliseconds(25), milliseconds(250)};
  Prng rng(5);
  const std::vector<microseconds> ceilings{milliseconds(25),  milliseconds(50),  milliseconds(100),
                                           milliseconds(200), milliseconds(250), milliseconds(250)};
  for (std::uint32_t attempt = 0; attempt < ceilings.size(); ++attempt) {
    microseconds largest{0};
    for (int i = 0; i < 5000; ++i) {
      const microseconds d = backoff_delay(attempt, spec, rng);
      ASSERT_GE(d.count(), 0);
      ASSERT_LE(d, ceilings[attempt]);
      largest = std::max(largest, d);
    }
    EXPECT_GT(largest, ceilings[attempt] * 9 / 10) << "full jitter reaches near the ceiling";
  }
}

TEST(Backoff, IsUniformOnAverage) {
  const BackoffSpec spec{milliseconds(25), milliseconds(250)};
  Prng rng(11);
  double sum = 0;
  constexpr int kSamples = 100'000;
  for (int i = 0; i < kSamples; ++i) sum += backoff_delay(10, spec, rng).count();
  EXPECT_NEAR(sum / kSamples, 125'000.0, 2'500.0);
}

TEST(Backoff, HugeAttemptDoesNotOverflow) {
  Prng rng(1);
  EXPECT_LE(backoff_delay(UINT32_MAX, BackoffSpec{}, rng), milliseconds(250));
}

TEST(Backoff, ZeroBaseMeansNoDelay) {
  Prng rng(1);
  EXPECT_EQ(backoff_delay(3, BackoffSpec{milliseconds(0), milliseconds(250)}, rng),
            microseconds(0));
}

}  // namespace
}  // namespace flotilla::upstream
