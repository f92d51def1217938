// The exchange's one decision after an attempt, as a table: nginx's proxy_next_upstream per
// policy mask and tries, never replaying what cannot be replayed, the time budget, connection
// failures of idempotent requests retried outside the policy, 101 → tunnel, 502 vs 504.
#include "gateway/proxy/retry_decision.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace flotilla::gateway {
namespace {

using config::RetryOn;
using upstream::OutcomeKind;

RetryPolicy policy(std::initializer_list<RetryOn> on, std::uint32_t tries = 3,
                   bool non_idempotent = false) {
  RetryPolicy p;
  p.on = 0;
  for (const RetryOn o : on) p.on |= config::retry_bit(o);
  p.tries = tries;
  p.non_idempotent = non_idempotent;
  return p;
}

// nginx's default: error and timeout, 3 tries.
const RetryPolicy kDefault = policy({RetryOn::error, RetryOn::timeout});
const RetryPolicy kEverything =
    policy({RetryOn::error, RetryOn::timeout, RetryOn::invalid_header, RetryOn::http_500,
            RetryOn::http_502, RetryOn::http_503, RetryOn::http_504, RetryOn::http_429});

struct Req {
  std::uint32_t attempts = 1;
  bool idempotent = true;
  bool replayable = true;
  bool in_budget = true;
  bool upgrade = false;
  bool suspect = false;
  RetryState state() const {
    RetryState s;
    s.attempts = attempts;
    s.idempotent = idempotent;
    s.replayable = replayable;
    s.within_time_budget = in_budget;
    s.upgrade_requested = upgrade;
    s.suspect = suspect;
    return s;
  }
};
constexpr Req kGet{};
constexpr Req kPost{.idempotent = false};

AttemptEnd status(int code) {
  return AttemptEnd{
      .head = true, .status = code, .failure = OutcomeKind::response, .request_sent = true};
}
AttemptEnd failed(OutcomeKind kind, bool sent = true) {
  return AttemptEnd{.head = false, .status = 0, .failure = kind, .request_sent = sent};
}

// What a row expects; fields that do not apply to the step are not compared.
struct Expect {
  NextStep step;
  RetryOn reason = RetryOn::error;  // kRetry
  bool counted = false;             // kRetry
  int status = 502;                 // kFail
  bool status_is_failure = false;
};
Expect forward(bool failure = false) {
  return {NextStep::kForward, RetryOn::error, false, 0, failure};
}
Expect retry(RetryOn reason, bool counted, bool failure = false) {
  return {NextStep::kRetry, reason, counted, 0, failure};
}
Expect fail(int code) {
  return {NextStep::kFail, RetryOn::error, false, code, false};
}
Expect tunnel() {
  return {NextStep::kTunnel, RetryOn::error, false, 0, false};
}

struct Row {
  const char* name;
  RetryPolicy policy;
  Req request;
  AttemptEnd attempt;
  Expect expect;
};

const char* step_name(NextStep step) {
  switch (step) {
    case NextStep::kForward:
      return "forward";
    case NextStep::kTunnel:
      return "tunnel";
    case NextStep::kRetry:
      return "retry";
    case NextStep::kFail:
      return "fail";
  }
  return "?";
}

void check(const Row& row) {
  SCOPED_TRACE(row.name);
  const Decision d = decide(row.policy, row.request.state(), row.attempt);
  ASSERT_EQ(step_name(d.step), std::string(step_name(row.expect.step)));
  EXPECT_EQ(d.status_is_failure, row.expect.status_is_failure);
  if (d.step == NextStep::kRetry) {
    EXPECT_EQ(config::to_string(d.reason), config::to_string(row.expect.reason));
    EXPECT_EQ(d.counted, row.expect.counted);
  }
  if (d.step == NextStep::kFail) {
    EXPECT_EQ(d.status, row.expect.status);
  }
}

TEST(RetryDecision, ResponseStatuses) {
  const Row rows[] = {
      {"200 is forwarded", kEverything, kGet, status(200), forward()},
      {"404 is never retried", kEverything, kGet, status(404), forward()},
      {"501 names no condition", kEverything, kGet, status(501), forward()},
      {"503 outside the mask is forwarded as is", kDefault, kGet, status(503), forward()},
      {"502 when only http_503 is listed", policy({RetryOn::http_503}), kGet, status(502),
       forward()},
      {"500 listed", policy({RetryOn::http_500}), kGet, status(500),
       retry(RetryOn::http_500, true, true)},
      {"502 listed", policy({RetryOn::http_502}), kGet, status(502),
       retry(RetryOn::http_502, true, true)},
      {"503 listed", policy({RetryOn::http_503}), kGet, status(503),
       retry(RetryOn::http_503, true, true)},
      {"504 listed", policy({RetryOn::http_504}), kGet, status(504),
       retry(RetryOn::http_504, true, true)},
      {"429 listed", policy({RetryOn::http_429}), kGet, status(429),
       retry(RetryOn::http_429, true, true)},
      // The status still counts against the endpoint when it cannot be retried.
      {"tries used up: forwarded, a failure", policy({RetryOn::http_503}, 2), Req{.attempts = 2},
       status(503), forward(true)},
      {"one try: forwarded", policy({RetryOn::http_503}, 1), kGet, status(503), forward(true)},
      {"POST is not replayed on a status", policy({RetryOn::http_503}), kPost, status(503),
       forward(true)},
      {"POST replayed when the route allows it", policy({RetryOn::http_503}, 3, true), kPost,
       status(503), retry(RetryOn::http_503, true, true)},
      {"a streamed body cannot be replayed", policy({RetryOn::http_503}), Req{.replayable = false},
       status(503), forward(true)},
      {"past the time budget", policy({RetryOn::http_503}), Req{.in_budget = false}, status(503),
       forward(true)},
      {"tries above the tried-set's capacity are capped", policy({RetryOn::http_503}, 1000),
       Req{.attempts = kMaxAttempts}, status(503), forward(true)},
      {"below the cap", policy({RetryOn::http_503}, 1000), Req{.attempts = kMaxAttempts - 1},
       status(503), retry(RetryOn::http_503, true, true)},
      {"an upgrade request answered 200 is forwarded", kEverything, Req{.upgrade = true},
       status(200), forward()},
  };
  for (const Row& row : rows) check(row);
}

TEST(RetryDecision, FailuresBeforeAHead) {
  const Row rows[] = {
      {"timeout listed", kDefault, kGet, failed(OutcomeKind::timeout),
       retry(RetryOn::timeout, true)},
      {"timeout not listed", policy({RetryOn::error}), kGet, failed(OutcomeKind::timeout),
       fail(504)},
      {"timeout, tries used up", kDefault, Req{.attempts = 3}, failed(OutcomeKind::timeout),
       fail(504)},
      {"invalid_header listed", policy({RetryOn::invalid_header}), kGet,
       failed(OutcomeKind::invalid_header), retry(RetryOn::invalid_header, true)},
      {"invalid_header not listed", kDefault, kGet, failed(OutcomeKind::invalid_header), fail(502)},
      // error retries are not counted against the upstream's retry budget.
      {"POST refused before sending, error listed", kDefault, kPost,
       failed(OutcomeKind::connect_error, false), retry(RetryOn::error, false)},
      {"POST refused before sending, error not listed", policy({}), kPost,
       failed(OutcomeKind::connect_error, false), fail(502)},
      {"POST refused before sending, tries used up", kDefault,
       Req{.attempts = 3, .idempotent = false}, failed(OutcomeKind::connect_error, false),
       fail(502)},
      {"POST timing out before sending is retried", kDefault, kPost,
       failed(OutcomeKind::timeout, false), retry(RetryOn::timeout, true)},
  };
  for (const Row& row : rows) check(row);
}

// Once a byte went upstream, a non-idempotent request may have changed state there.
TEST(RetryDecision, NonIdempotentIsNeverReplayedOnceSent) {
  const Row rows[] = {
      {"reset", kEverything, kPost, failed(OutcomeKind::reset), fail(502)},
      {"timeout", kEverything, kPost, failed(OutcomeKind::timeout), fail(504)},
      {"invalid_header", kEverything, kPost, failed(OutcomeKind::invalid_header), fail(502)},
      {"connect_error after a byte", kEverything, kPost, failed(OutcomeKind::connect_error),
       fail(502)},
      {"unless the route allows it: reset", policy({RetryOn::error}, 3, true), kPost,
       failed(OutcomeKind::reset), retry(RetryOn::error, false)},
      {"unless the route allows it: timeout", policy({RetryOn::timeout}, 3, true), kPost,
       failed(OutcomeKind::timeout), retry(RetryOn::timeout, true)},
      {"allowed but not listed", policy({RetryOn::timeout}, 3, true), kPost,
       failed(OutcomeKind::reset), fail(502)},
  };
  for (const Row& row : rows) check(row);
}

// The endpoint failed, not the request: an idempotent request goes elsewhere whatever the
// route's list and tries say, and takes no slot of the retry budget.
TEST(RetryDecision, IdempotentConnectionFailuresAreRetriedOutsideThePolicy) {
  const Row rows[] = {
      {"connect_error, empty list", policy({}), kGet, failed(OutcomeKind::connect_error, false),
       retry(RetryOn::error, false)},
      {"reset after sending, empty list", policy({}), kGet, failed(OutcomeKind::reset),
       retry(RetryOn::error, false)},
      {"connect_error, one try", policy({RetryOn::error}, 1), kGet,
       failed(OutcomeKind::connect_error, false), retry(RetryOn::error, false)},
      {"reset, tries used up", kDefault, Req{.attempts = 5}, failed(OutcomeKind::reset),
       retry(RetryOn::error, false)},
      {"timeout is not such a failure", policy({}), kGet, failed(OutcomeKind::timeout), fail(504)},
      {"invalid_header neither", policy({}), kGet, failed(OutcomeKind::invalid_header), fail(502)},
      // The hard limits still hold.
      {"the tried set is full", policy({}), Req{.attempts = kMaxAttempts},
       failed(OutcomeKind::connect_error, false), fail(502)},
      {"just below the cap", policy({}), Req{.attempts = kMaxAttempts - 1},
       failed(OutcomeKind::connect_error, false), retry(RetryOn::error, false)},
      {"past the time budget", kDefault, Req{.in_budget = false},
       failed(OutcomeKind::connect_error, false), fail(502)},
      {"timeout past the time budget", kDefault, Req{.in_budget = false},
       failed(OutcomeKind::timeout), fail(504)},
      {"a streamed body", kDefault, Req{.replayable = false}, failed(OutcomeKind::reset),
       fail(502)},
      {"a streamed body that timed out", kDefault, Req{.replayable = false},
       failed(OutcomeKind::timeout), fail(504)},
  };
  for (const Row& row : rows) check(row);
}

// RFC 9110 §15.2.2: 101 answers an Upgrade request only.
TEST(RetryDecision, SwitchingProtocols) {
  const Row rows[] = {
      {"101 to an upgrade request", kDefault, Req{.upgrade = true}, status(101), tunnel()},
      {"101 to an upgrade request, whatever the state", policy({}, 1),
       Req{.attempts = kMaxAttempts,
           .idempotent = false,
           .replayable = false,
           .in_budget = false,
           .upgrade = true},
       status(101), tunnel()},
      {"unasked 101 is an invalid head: retried when listed", policy({RetryOn::invalid_header}),
       kGet, status(101), retry(RetryOn::invalid_header, true)},
      {"unasked 101, not listed", kDefault, kGet, status(101), fail(502)},
      {"unasked 101 to a POST: the request went out", kEverything, kPost, status(101), fail(502)},
  };
  for (const Row& row : rows) check(row);
}

TEST(RetryDecision, RetriesStayWithinTheTriedSet) {
  // Whatever the policy, no decision asks for an attempt past the tried set's capacity.
  for (std::uint32_t attempts = 1; attempts <= kMaxAttempts + 1; ++attempts) {
    for (const AttemptEnd& end : {status(503), failed(OutcomeKind::connect_error, false),
                                  failed(OutcomeKind::reset), failed(OutcomeKind::timeout)}) {
      const Decision d =
          decide(policy({RetryOn::error, RetryOn::timeout, RetryOn::http_503}, 1000, true),
                 Req{.attempts = attempts}.state(), end);
      EXPECT_EQ(d.step == NextStep::kRetry, attempts < kMaxAttempts)
          << "attempts " << attempts << " status " << end.status;
    }
  }
}

AttemptEnd crashed(InstanceCrash crash, OutcomeKind kind = OutcomeKind::reset) {
  AttemptEnd end = failed(kind);
  end.crash = crash;
  return end;
}

struct CrashRow {
  const char* name;
  RetryPolicy policy;
  Req request;
  AttemptEnd attempt;
  Expect expect;
  bool suspect;  // the decision makes the request a suspect
  bool refused;  // ... and refuses to replay it
};

// The query of death: an instance that crashed by itself holding the request.
TEST(RetryDecision, QueryOfDeath) {
  const RetryPolicy opt_in = policy({RetryOn::error, RetryOn::timeout, RetryOn::crashed});
  const CrashRow rows[] = {
      {"alone in the crash: not replayed", kDefault, kGet, crashed(InstanceCrash::alone), fail(502),
       true, true},
      {"alone, whatever the list", kEverything, kGet, crashed(InstanceCrash::alone), fail(502),
       true, true},
      {"beside others: replayed once, outside the budget", kDefault, kGet,
       crashed(InstanceCrash::beside_others), retry(RetryOn::error, false), true, false},
      {"a suspect in its second crash: not replayed", kDefault, Req{.suspect = true},
       crashed(InstanceCrash::beside_others), fail(502), true, true},
      {"a suspect alone again", kDefault, Req{.suspect = true}, crashed(InstanceCrash::alone),
       fail(502), true, true},
      {"a suspect whose next instance was killed from outside: retried", kDefault,
       Req{.suspect = true}, failed(OutcomeKind::reset), retry(RetryOn::error, false), false,
       false},
      {"a suspect refused on the next connect: retried", kDefault, Req{.suspect = true},
       failed(OutcomeKind::connect_error, false), retry(RetryOn::error, false), false, false},
      {"killed from outside (no crash): retried as ever", kDefault, kGet,
       failed(OutcomeKind::reset), retry(RetryOn::error, false), false, false},
      {"POST beside others: still never replayed once sent", kDefault, kPost,
       crashed(InstanceCrash::beside_others), fail(502), true, false},
      {"beside others, tries and time used up", kDefault, Req{.in_budget = false},
       crashed(InstanceCrash::beside_others), fail(502), true, false},
      {"retry.on crashed: alone is replayed", opt_in, kGet, crashed(InstanceCrash::alone),
       retry(RetryOn::error, false), false, false},
      {"retry.on crashed: a suspect is replayed", opt_in, Req{.suspect = true},
       crashed(InstanceCrash::beside_others), retry(RetryOn::error, false), false, false},
      // A verdict only means something for a connection that broke after sending.
      {"a timeout is no crash", kDefault, kGet, crashed(InstanceCrash::alone, OutcomeKind::timeout),
       retry(RetryOn::timeout, true), false, false},
  };
  for (const CrashRow& row : rows) {
    check(Row{row.name, row.policy, row.request, row.attempt, row.expect});
    SCOPED_TRACE(row.name);
    const Decision d = decide(row.policy, row.request.state(), row.attempt);
    EXPECT_EQ(d.suspect, row.suspect);
    EXPECT_EQ(d.refused, row.refused);
  }
}

TEST(RetryDecision, WantsCrashVerdict) {
  EXPECT_TRUE(wants_crash_verdict(kDefault, failed(OutcomeKind::reset)));
  EXPECT_FALSE(wants_crash_verdict(kDefault, failed(OutcomeKind::reset, false)));
  EXPECT_FALSE(wants_crash_verdict(kDefault, failed(OutcomeKind::connect_error, false)));
  EXPECT_FALSE(wants_crash_verdict(kDefault, failed(OutcomeKind::timeout)));
  EXPECT_FALSE(wants_crash_verdict(kDefault, failed(OutcomeKind::invalid_header)));
  EXPECT_FALSE(wants_crash_verdict(kDefault, status(502)));
  EXPECT_FALSE(
      wants_crash_verdict(policy({RetryOn::error, RetryOn::crashed}), failed(OutcomeKind::reset)));
}

TEST(RetryDecision, FailureReason) {
  EXPECT_EQ(failure_reason(OutcomeKind::timeout), RetryOn::timeout);
  EXPECT_EQ(failure_reason(OutcomeKind::invalid_header), RetryOn::invalid_header);
  EXPECT_EQ(failure_reason(OutcomeKind::connect_error), RetryOn::error);
  EXPECT_EQ(failure_reason(OutcomeKind::reset), RetryOn::error);
  EXPECT_EQ(failure_reason(OutcomeKind::cancelled), RetryOn::error);
  EXPECT_EQ(failure_reason(OutcomeKind::response), RetryOn::error);
}

}  // namespace
}  // namespace flotilla::gateway
