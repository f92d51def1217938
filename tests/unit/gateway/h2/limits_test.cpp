// The flood budgets and the h2c preface detection.
#include "gateway/h2/limits.hpp"

#include <gtest/gtest.h>

#include "gateway/h2/preface.hpp"

namespace flotilla::gateway::h2 {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, BurstThenRefill) {
  TokenBucket bucket;
  const auto t0 = TokenBucket::Clock::time_point{} + 1h;
  bucket.reset(3, 10, t0);
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0));         // burst spent
  EXPECT_TRUE(bucket.take(t0 + 100ms));  // 10/s: one more after 100 ms
  EXPECT_FALSE(bucket.take(t0 + 100ms));
  EXPECT_TRUE(bucket.take(t0 + 10s));  // refilled, but never above the burst
  EXPECT_TRUE(bucket.take(t0 + 10s));
  EXPECT_TRUE(bucket.take(t0 + 10s));
  EXPECT_FALSE(bucket.take(t0 + 10s));
}

TEST(TokenBucket, GivenTokensAreCappedAtTheBurst) {
  TokenBucket bucket;
  const auto t0 = TokenBucket::Clock::time_point{} + 1h;
  bucket.reset(2, 0, t0);
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0));
  bucket.give(100);
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0));
}

TEST(Preface, PriorKnowledgeIsRecognised) {
  EXPECT_EQ(match_preface(""), PrefaceMatch::kPartial);
  EXPECT_EQ(match_preface("PRI * HTTP/2.0\r\n"), PrefaceMatch::kPartial);
  EXPECT_EQ(match_preface(kClientPreface), PrefaceMatch::kYes);
  EXPECT_EQ(match_preface(std::string(kClientPreface) + "\x00\x00\x12\x04"), PrefaceMatch::kYes);
  EXPECT_EQ(match_preface("GET / HTTP/1.1\r\n"), PrefaceMatch::kNo);
  EXPECT_EQ(match_preface("PRIX"), PrefaceMatch::kNo);
  EXPECT_EQ(match_preface("P"), PrefaceMatch::kPartial);
}

}  // namespace
}  // namespace flotilla::gateway::h2
