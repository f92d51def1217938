// decide_hedge and per_try_applies as tables: never for non-idempotent methods or bodies that
// stream, at most hedge.max, within the route's time budget, only with another endpoint and a
// slot of the retry budget; the per-try timeout only for replayable idempotent requests.
#include <gtest/gtest.h>

#include <string>

#include "gateway/proxy/retry_decision.hpp"

namespace flotilla::gateway {
namespace {

HedgePolicy hedging(std::uint32_t max = 1) {
  HedgePolicy p;
  p.after = {upstream::AdaptiveTimeout::Mode::automatic, Millis{0}};
  p.max = max;
  return p;
}

RetryState request(bool idempotent, bool body_held, bool in_time = true,
                   std::uint32_t attempts = 1) {
  RetryState s;
  s.attempts = attempts;
  s.idempotent = idempotent;
  s.body_held = body_held;
  s.replayable = body_held;
  s.within_time_budget = in_time;
  return s;
}

struct HedgeRow {
  std::string name;
  HedgePolicy policy;
  RetryState request;
  std::uint32_t hedges_sent;
  bool endpoint_left;
  bool budget_slot;
  HedgeVerdict expected;
};

TEST(HedgeDecisionTest, Table) {
  const HedgeRow rows[] = {
      {"GET, all allowed", hedging(), request(true, true), 0, true, true, HedgeVerdict::kHedge},
      {"route without hedge", HedgePolicy{}, request(true, true), 0, true, true,
       HedgeVerdict::kOff},
      {"POST never", hedging(), request(false, true), 0, true, true, HedgeVerdict::kNotIdempotent},
      {"POST never, even without a body streamed", hedging(), request(false, false), 0, true, true,
       HedgeVerdict::kNotIdempotent},
      {"streamed body", hedging(), request(true, false), 0, true, true, HedgeVerdict::kBodyNotHeld},
      {"max reached", hedging(1), request(true, true), 1, true, true, HedgeVerdict::kMaxReached},
      {"attempt cap", hedging(1), request(true, true, true, kMaxAttempts), 0, true, true,
       HedgeVerdict::kMaxReached},
      {"time budget spent", hedging(), request(true, true, false), 0, true, true,
       HedgeVerdict::kOutOfTime},
      {"no other endpoint", hedging(), request(true, true), 0, false, true,
       HedgeVerdict::kNoEndpoint},
      {"retry budget exhausted", hedging(), request(true, true), 0, true, false,
       HedgeVerdict::kOverBudget},
  };
  for (const HedgeRow& row : rows) {
    EXPECT_EQ(
        decide_hedge(row.policy, row.request, row.hedges_sent, row.endpoint_left, row.budget_slot),
        row.expected)
        << row.name;
  }
}

TEST(HedgeDecisionTest, PerTryTimeoutOnlyForReplayableIdempotentRequests) {
  RetryPolicy with;
  with.per_try = {upstream::AdaptiveTimeout::Mode::automatic, Millis{0}};
  const RetryPolicy without;
  EXPECT_TRUE(per_try_applies(with, request(true, true)));
  EXPECT_FALSE(per_try_applies(with, request(false, true)));  // POST
  EXPECT_FALSE(per_try_applies(with, request(true, false)));  // body streamed
  EXPECT_FALSE(per_try_applies(without, request(true, true)));
  RetryPolicy non_idempotent = with;
  non_idempotent.non_idempotent = true;  // retrying POST is allowed, cutting its try short is not
  EXPECT_FALSE(per_try_applies(non_idempotent, request(false, true)));
}

}  // namespace
}  // namespace flotilla::gateway
