#include "upstream/upstream_state.hpp"

#include <gtest/gtest.h>

#include <string>

namespace flotilla::upstream {
namespace {

using std::chrono::seconds;

EndpointSpec endpoint(std::string key, bool backup = false, std::uint32_t weight = 1) {
  return {key, key, weight, backup};
}

// "e0", "e1", … all primaries of weight 1.
std::vector<EndpointSpec> numbered(int count) {
  std::vector<EndpointSpec> out;
  for (int i = 0; i < count; ++i) out.push_back(endpoint("e" + std::to_string(i)));
  return out;
}

UpstreamSpec spec_of(std::vector<EndpointSpec> endpoints) {
  UpstreamSpec spec;
  spec.name = "app";
  spec.endpoints = std::move(endpoints);
  return spec;
}

class UpstreamStateTest : public ::testing::Test {
 protected:
  void build(const UpstreamSpec& spec) { state_ = std::make_unique<UpstreamState>(spec, 1); }

  TimePoint at(double s) const {
    return t0_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  // The key of the endpoint select() returns at time `s`, or "none".
  std::string pick(double s = 0, std::string_view hash_key = {}, const TriedSet& tried = {}) {
    const auto index = state_->select(at(s), hash_key, tried);
    return index ? state_->endpoint(*index).key : "none";
  }
  std::string picks(int count, double s = 0) {
    std::string out;
    for (int i = 0; i < count; ++i) out += pick(s) + " ";
    return out;
  }
  std::size_t index_of(std::string_view key) const {
    for (std::size_t i = 0; i < state_->size(); ++i) {
      if (state_->endpoint(i).key == key) return i;
    }
    ADD_FAILURE() << "no endpoint " << key;
    return 0;
  }
  // One whole attempt on `key` ending at time `s`.
  void attempt(std::string_view key, Outcome outcome, double s) {
    const EndpointTicket ticket = state_->on_request_start(index_of(key));
    state_->on_request_end(ticket, outcome, at(s));
  }
  EndpointStatus status(std::string_view key, double s = 0) const {
    return state_->status(index_of(key), at(s));
  }

  TimePoint t0_ = TimePoint{} + std::chrono::hours(1);
  std::unique_ptr<UpstreamState> state_;
};

TEST_F(UpstreamStateTest, RoundRobinOverPrimaries) {
  build(spec_of({endpoint("a"), endpoint("b"), endpoint("c")}));
  EXPECT_EQ(picks(6), "a b c a b c ");
}

TEST_F(UpstreamStateTest, TriedEndpointsAreSkipped) {
  build(spec_of({endpoint("a"), endpoint("b"), endpoint("c")}));
  TriedSet tried;
  tried.add(state_->on_request_start(index_of("a")));
  tried.add(state_->on_request_start(index_of("c")));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pick(0, {}, tried), "b");
}

TEST_F(UpstreamStateTest, BackupTakesOverWhileNoPrimaryIsUpAndGivesBack) {
  build(spec_of({endpoint("a"), endpoint("b"), endpoint("tokyo", true)}));
  EXPECT_EQ(picks(4), "a b a b ");
  state_->set_active_health(index_of("a"), false, at(1));
  EXPECT_EQ(picks(2, 1), "b b ");
  state_->set_active_health(index_of("b"), false, at(2));
  EXPECT_EQ(picks(2, 2), "tokyo tokyo ");
  state_->set_active_health(index_of("b"), true, at(3));
  EXPECT_EQ(picks(2, 3), "b b ");
}

TEST_F(UpstreamStateTest, RetryGoesToBackupOnceEveryPrimaryWasTried) {
  build(spec_of({endpoint("a"), endpoint("tokyo", true)}));
  TriedSet tried;
  tried.add(state_->on_request_start(index_of("a")));
  EXPECT_EQ(pick(0, {}, tried), "tokyo");
  tried.add(state_->on_request_start(index_of("tokyo")));
  EXPECT_EQ(pick(0, {}, tried), "none");
}

TEST_F(UpstreamStateTest, NothingAvailableGivesNone) {
  build(spec_of({endpoint("a"), endpoint("b", true)}));
  state_->set_active_health(0, false, at(0));
  state_->set_active_health(1, false, at(0));
  EXPECT_EQ(pick(), "none");
  EXPECT_EQ(state_->available_count(at(0)), 0U);
}

TEST_F(UpstreamStateTest, EmptyUpstreamGivesNone) {
  build(spec_of({}));
  EXPECT_EQ(pick(), "none");
}

TEST_F(UpstreamStateTest, PassiveHealthTimeline) {
  UpstreamSpec spec = spec_of({endpoint("a"), endpoint("b")});
  spec.max_fails = 3;
  spec.fail_timeout = seconds(10);
  build(spec);
  for (double t : {0.0, 1.0, 2.0}) attempt("a", Outcome::error(OutcomeKind::connect_error), t);
  EXPECT_TRUE(status("a", 2).passive_down);
  EXPECT_EQ(status("a", 2).fails, 3U);
  EXPECT_EQ(picks(3, 5), "b b b ");
  EXPECT_EQ(picks(3, 12), "b b b ");

  // After fail_timeout: exactly one trial request goes to a.
  std::string during_trial;
  for (int i = 0; i < 4; ++i) during_trial += pick(13) + " ";
  EXPECT_EQ(std::count(during_trial.begin(), during_trial.end(), 'a'), 1) << during_trial;
  attempt("a", Outcome::ok(), 13.5);
  EXPECT_FALSE(status("a", 13.5).passive_down);
  EXPECT_EQ(status("a", 13.5).fails, 0U);
  const std::string after = picks(4, 14);
  EXPECT_EQ(std::count(after.begin(), after.end(), 'a'), 2) << after;
}

TEST_F(UpstreamStateTest, OnlyRouteFailureStatusesCountForPassiveHealth) {
  build(spec_of({endpoint("a"), endpoint("b")}));
  attempt("a", Outcome::http(500, false), 0);
  EXPECT_EQ(status("a").fails, 0U);
  attempt("a", Outcome::http(502, true), 0);
  EXPECT_EQ(status("a").fails, 1U);
  EXPECT_TRUE(status("a").passive_down) << "nginx default max_fails=1";
}

TEST_F(UpstreamStateTest, AllDownQuickRecoveryLikeNginx) {
  build(spec_of({endpoint("a")}));
  attempt("a", Outcome::error(OutcomeKind::timeout), 0);
  EXPECT_EQ(pick(1), "none");
  EXPECT_EQ(pick(1), "a") << "failures were forgiven so the next request probes again";
}

TEST_F(UpstreamStateTest, OutlierEjectionAndTheCap) {
  UpstreamSpec spec = spec_of(numbered(10));
  spec.max_fails = 0;  // isolate outlier detection
  build(spec);
  for (int i = 0; i < 5; ++i) attempt("e0", Outcome::http(503, false), 0);
  EXPECT_TRUE(status("e0").ejected);
  EXPECT_FALSE(status("e0").available);
  for (int i = 0; i < 30; ++i) EXPECT_NE(pick(1), "e0");

  for (int i = 0; i < 5; ++i) attempt("e1", Outcome::error(OutcomeKind::reset), 1);
  EXPECT_FALSE(status("e1", 1).ejected) << "10% of 10 endpoints: one at a time";

  EXPECT_FALSE(status("e0", 30).ejected);
  EXPECT_EQ(status("e0", 30).times_ejected, 1U);
}

TEST_F(UpstreamStateTest, SuccessResetsConsecutiveErrors) {
  UpstreamSpec spec = spec_of(numbered(4));
  spec.max_fails = 0;
  build(spec);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) attempt("e0", Outcome::http(500, false), round);
    attempt("e0", Outcome::ok(), round);
  }
  EXPECT_FALSE(status("e0", 3).ejected);
}

TEST_F(UpstreamStateTest, CancelledAttemptOnlyReleasesInFlight) {
  build(spec_of({endpoint("a"), endpoint("b")}));
  const EndpointTicket ticket = state_->on_request_start(0);
  EXPECT_EQ(status("a").in_flight, 1U);
  state_->on_request_end(ticket, Outcome::error(OutcomeKind::cancelled), at(0));
  EXPECT_EQ(status("a").in_flight, 0U);
  EXPECT_EQ(status("a").fails, 0U);
}

TEST_F(UpstreamStateTest, LeastConnSeesInFlight) {
  UpstreamSpec spec = spec_of({endpoint("a"), endpoint("b")});
  spec.balance = BalanceKind::least_conn;
  build(spec);
  const EndpointTicket busy = state_->on_request_start(index_of("a"));
  EXPECT_EQ(picks(3), "b b b ");
  state_->on_request_end(busy, Outcome::ok(), at(0));
  EXPECT_EQ(picks(2), "a b ");
}

TEST_F(UpstreamStateTest, StateCarriesOverBySnapshotIdentity) {
  build(spec_of({endpoint("a"), endpoint("b"), endpoint("c")}));
  const EndpointTicket on_a = state_->on_request_start(index_of("a"));
  const EndpointTicket on_b = state_->on_request_start(index_of("b"));
  attempt("c", Outcome::error(OutcomeKind::connect_error), 0);

  state_->update(spec_of({endpoint("b"), endpoint("c"), endpoint("d")}), at(1));
  ASSERT_EQ(state_->size(), 3U);
  EXPECT_EQ(status("b", 1).in_flight, 1U);
  EXPECT_EQ(status("c", 1).fails, 1U);
  EXPECT_EQ(status("d", 1).fails, 0U);
  EXPECT_EQ(status("d", 1).in_flight, 0U);

  // b's index moved from 1 to 0; its attempt still ends on b. a is gone: ignored.
  state_->on_request_end(on_b, Outcome::error(OutcomeKind::timeout), at(2));
  state_->on_request_end(on_a, Outcome::error(OutcomeKind::timeout), at(2));
  EXPECT_EQ(status("b", 2).in_flight, 0U);
  EXPECT_EQ(status("b", 2).fails, 1U);
  EXPECT_EQ(status("d", 2).fails, 0U);
}

TEST_F(UpstreamStateTest, TriedSetSurvivesASnapshotChange) {
  build(spec_of({endpoint("a"), endpoint("b")}));
  TriedSet tried;
  tried.add(state_->on_request_start(index_of("b")));
  state_->update(spec_of({endpoint("z"), endpoint("b")}), at(1));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(pick(1, {}, tried), "z");
}

TEST_F(UpstreamStateTest, NewEndpointsRampUnderSlowStart) {
  UpstreamSpec spec = spec_of({endpoint("a")});
  spec.slow_start = seconds(100);
  build(spec);
  EXPECT_EQ(status("a").effective_weight, kWeightScale) << "the first snapshot does not ramp";
  spec.endpoints.push_back(endpoint("b"));
  state_->update(spec, at(10));
  EXPECT_EQ(status("b", 10).effective_weight, 10U);
  EXPECT_EQ(status("b", 60).effective_weight, 55U);
  EXPECT_EQ(status("b", 110).effective_weight, kWeightScale);
  EXPECT_EQ(status("a", 10).effective_weight, kWeightScale);

  // At 10% of a's weight, b gets one pick in eleven.
  const std::string early = picks(11, 10);
  EXPECT_EQ(std::count(early.begin(), early.end(), 'b'), 1) << early;
}

TEST_F(UpstreamStateTest, RecoveryRampsUnderSlowStart) {
  UpstreamSpec spec = spec_of({endpoint("a"), endpoint("b"), endpoint("c")});
  spec.slow_start = seconds(100);
  build(spec);
  attempt("b", Outcome::error(OutcomeKind::connect_error), 0);  // max_fails 1: down until 10 s
  EXPECT_EQ(pick(11), "a");
  EXPECT_EQ(pick(11), "b");  // b's trial request
  attempt("b", Outcome::ok(), 12);
  EXPECT_EQ(status("b", 12).effective_weight, 10U);

  state_->set_active_health(index_of("a"), false, at(20));
  state_->set_active_health(index_of("a"), true, at(50));
  EXPECT_EQ(status("a", 50).effective_weight, 10U);
  EXPECT_EQ(status("a", 150).effective_weight, kWeightScale);
}

TEST_F(UpstreamStateTest, EjectionEndRampsUnderSlowStart) {
  UpstreamSpec spec = spec_of(numbered(4));
  spec.max_fails = 0;
  spec.slow_start = seconds(100);
  build(spec);
  for (int i = 0; i < 5; ++i) attempt("e0", Outcome::http(500, false), 0);
  EXPECT_TRUE(status("e0", 29).ejected);
  EXPECT_EQ(status("e0", 30).effective_weight, 10U);
  EXPECT_EQ(status("e0", 130).effective_weight, kWeightScale);
}

TEST_F(UpstreamStateTest, ConsistentHashThroughTheState) {
  std::vector<EndpointSpec> endpoints;
  for (int i = 0; i < 5; ++i) endpoints.push_back(endpoint("10.0.0." + std::to_string(i) + ":80"));
  UpstreamSpec spec = spec_of(endpoints);
  spec.balance = BalanceKind::consistent_hash;
  build(spec);
  const std::string home = pick(0, "user-42");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pick(0, "user-42"), home);
  TriedSet tried;
  tried.add(state_->on_request_start(index_of(home)));
  const std::string retry = pick(0, "user-42", tried);
  EXPECT_NE(retry, home);
  EXPECT_EQ(pick(0, "user-42", tried), retry);
}

TEST_F(UpstreamStateTest, RetryBudgetLivesAcrossSnapshots) {
  build(spec_of({endpoint("a")}));
  state_->retry_budget().on_request_start();
  EXPECT_TRUE(state_->retry_budget().try_start_retry());
  state_->update(spec_of({endpoint("a"), endpoint("b")}), at(1));
  EXPECT_EQ(state_->retry_budget().active_requests(), 1U);
  EXPECT_EQ(state_->retry_budget().active_retries(), 1U);
}

TEST_F(UpstreamStateTest, SwitchingToBackupKeepsState) {
  build(spec_of({endpoint("a"), endpoint("b")}));
  attempt("b", Outcome::error(OutcomeKind::connect_error), 0);
  state_->update(spec_of({endpoint("a"), endpoint("b", true)}), at(1));
  EXPECT_EQ(status("b", 1).fails, 1U);
  EXPECT_TRUE(state_->endpoint(index_of("b")).backup);
}

}  // namespace
}  // namespace flotilla::upstream
