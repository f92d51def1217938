// Latency-aware ejection in UpstreamState: an endpoint whose requests stop completing while its
// peers complete is ejected (and comes back through slow start), one that completes is not, a
// lone endpoint never is, and abandoned requests keep weighing for least_conn.
#include <gtest/gtest.h>

#include <string>

#include "upstream/upstream_state.hpp"

namespace flotilla::upstream {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

UpstreamSpec spec_of(int endpoints, BalanceKind balance = BalanceKind::round_robin) {
  UpstreamSpec spec;
  spec.name = "app";
  for (int i = 0; i < endpoints; ++i) {
    const std::string key = "e" + std::to_string(i);
    spec.endpoints.push_back({key, key, 1, false});
  }
  spec.balance = balance;
  spec.max_fails = 0;  // isolate latency ejection from passive health
  spec.outlier.max_ejected_percent = 50;
  return spec;
}

const TimePoint kT0 = TimePoint{} + seconds(1000);
TimePoint at_ms(int ms) {
  return kT0 + milliseconds(ms);
}

// One request on endpoint `index` from `start` to `end` (ms), answered 200.
void complete(UpstreamState& state, std::size_t index, int start, int end) {
  const EndpointTicket t = state.on_request_start(index, at_ms(start));
  state.on_request_end(t, Outcome::ok(), at_ms(end));
}

TEST(LatencyEjectionTest, StalledEndpointIsEjectedWhilePeersComplete) {
  UpstreamState state(spec_of(2), 1);
  for (int i = 0; i < 50; ++i) complete(state, i % 2, i, i + 1);  // warm: ~1 ms each
  // e1 freezes: its request never completes; e0 keeps completing.
  const EndpointTicket stuck = state.on_request_start(1, at_ms(100));
  for (int ms = 101; ms < 2000; ms += 20) complete(state, 0, ms, ms + 1);
  EXPECT_TRUE(state.status(1, at_ms(2000)).ejected);
  EXPECT_EQ(state.latency_ejections(), 1U);
  EXPECT_FALSE(state.status(0, at_ms(2000)).ejected);
  // Its stuck request ends much later: nothing breaks, the ejection stands.
  state.on_request_end(stuck, Outcome::gave_up(OutcomeKind::cancelled), at_ms(2100));
  EXPECT_FALSE(state.available(1, at_ms(2100)));
}

TEST(LatencyEjectionTest, EndpointThatKeepsCompletingIsNotEjected) {
  UpstreamState state(spec_of(2), 1);
  for (int i = 0; i < 50; ++i) complete(state, i % 2, i, i + 1);
  // A long request on e1 beside short ones that complete there too.
  const EndpointTicket slow = state.on_request_start(1, at_ms(100));
  for (int ms = 101; ms < 3000; ms += 20) {
    complete(state, 0, ms, ms + 1);
    complete(state, 1, ms, ms + 1);
  }
  EXPECT_FALSE(state.status(1, at_ms(3000)).ejected);
  state.on_request_end(slow, Outcome::ok(), at_ms(3000));
  EXPECT_EQ(state.latency_ejections(), 0U);
}

TEST(LatencyEjectionTest, LoneEndpointIsNeverEjected) {
  UpstreamState state(spec_of(1), 1);
  for (int i = 0; i < 50; ++i) complete(state, 0, i, i + 1);
  const EndpointTicket stuck = state.on_request_start(0, at_ms(100));
  for (int ms = 101; ms < 3000; ms += 20) {
    state.on_request_end(state.on_request_start(0, at_ms(ms)),
                         Outcome::gave_up(OutcomeKind::timeout), at_ms(ms + 10));
  }
  EXPECT_FALSE(state.status(0, at_ms(3000)).ejected);
  state.on_request_end(stuck, Outcome::ok(), at_ms(3000));
}

TEST(LatencyEjectionTest, EjectedEndpointReturnsThroughSlowStart) {
  UpstreamSpec spec = spec_of(2);
  spec.slow_start = seconds(10);
  spec.outlier.base_ejection = seconds(5);
  UpstreamState state(spec, 1);
  for (int i = 0; i < 50; ++i) complete(state, i % 2, i, i + 1);
  const EndpointTicket stuck = state.on_request_start(1, at_ms(100));
  for (int ms = 101; ms < 2000; ms += 20) complete(state, 0, ms, ms + 1);
  ASSERT_TRUE(state.status(1, at_ms(2000)).ejected);
  state.on_request_end(stuck, Outcome::ok(), at_ms(2500));
  // Back after the ejection, at a fraction of its weight, ramping up.
  const auto back = at_ms(2000) + seconds(6);
  EXPECT_TRUE(state.available(1, back));
  EXPECT_LT(state.status(1, back).effective_weight, kWeightScale);
}

TEST(LatencyEjectionTest, AbandonedRequestsKeepWeighingForLeastConn) {
  UpstreamState state(spec_of(2, BalanceKind::least_conn), 1);
  // Three tries on e1 timed out: e1 may still hold them.
  for (int i = 0; i < 3; ++i) {
    state.on_request_end(state.on_request_start(1, at_ms(i)),
                         Outcome::gave_up(OutcomeKind::timeout), at_ms(i + 250));
  }
  EXPECT_EQ(state.status(1, at_ms(300)).abandoned, 3U);
  // e0 holds one request in flight; least_conn still prefers it to e1's three stuck ones.
  const EndpointTicket busy = state.on_request_start(0, at_ms(300));
  const auto pick = state.select(at_ms(301), {}, TriedSet{});
  ASSERT_TRUE(pick);
  EXPECT_EQ(*pick, 0U);
  state.on_request_end(busy, Outcome::ok(), at_ms(302));
  // Once e1 answers something again, its abandoned count is forgiven.
  state.on_request_end(state.on_request_start(1, at_ms(303)), Outcome::ok(), at_ms(304));
  EXPECT_EQ(state.status(1, at_ms(305)).abandoned, 0U);
}

}  // namespace
}  // namespace flotilla::upstream
