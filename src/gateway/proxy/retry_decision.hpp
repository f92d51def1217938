// What the exchange does after an attempt: forward the response, turn the connection into a
// tunnel, try another endpoint, or give up with 502/504. One pure function of the route's policy,
// the request's state and how the attempt ended, so every rule (nginx's proxy_next_upstream,
// never replaying what cannot be replayed) is in one place and unit tested. No I/O, no clock.
#pragma once

#include <cstdint>

#include "config/retry_on.hpp"
#include "gateway/snapshot.hpp"
#include "upstream/outcome.hpp"
#include "upstream/tried_set.hpp"

namespace flotilla::gateway {

// TriedSet's capacity bounds every exchange, whatever the policy says.
inline constexpr std::uint32_t kMaxAttempts = upstream::TriedSet::kCapacity;

// What the supervisor said about the instance an attempt broke on (see crash_verdict.hpp).
enum class InstanceCrash : std::uint8_t {
  none,           // not a supervised instance, still alive, killed from outside, or no verdict
  alone,          // it crashed by itself and this was the only request it held
  beside_others,  // it crashed by itself holding this request and others
};

// The request's side.
struct RetryState {
  std::uint32_t attempts = 0;      // attempts made, the last one included
  bool idempotent = false;         // RFC 9110 §9.2.2
  bool replayable = true;          // no body byte beyond what is kept was consumed
  bool within_time_budget = true;  // the route's retry.timeout has not passed
  bool upgrade_requested = false;  // the request asked for a protocol upgrade
  bool suspect = false;   // an instance already crashed holding it, and it was replayed once
  bool body_held = true;  // the whole body was read before the first try (nothing streams)
};

// How the last attempt ended.
struct AttemptEnd {
  bool head = false;  // a response head arrived (else the attempt failed before one)
  int status = 0;     // with head
  upstream::OutcomeKind failure = upstream::OutcomeKind::connect_error;  // without head
  bool request_sent = false;                  // any request byte was written upstream
  InstanceCrash crash = InstanceCrash::none;  // a broken connection's verdict
};

enum class NextStep : std::uint8_t { kForward, kTunnel, kRetry, kFail };

struct Decision {
  NextStep step = NextStep::kFail;
  config::RetryOn reason = config::RetryOn::error;  // kRetry: why (the retries metric's label)
  bool counted = false;  // kRetry: takes a slot of the upstream's retry budget
  int status = 502;      // kFail: what to answer
  // A failure to count against the endpoint's passive health (a status the route retries on).
  bool status_is_failure = false;
  // The attempt broke because its instance crashed by itself: the request is a suspect.
  bool suspect = false;
  // kFail: a suspect not replayed (alone in the crash, or in its second crash): 502.
  bool refused = false;
};

Decision decide(const RetryPolicy& policy, const RetryState& request, const AttemptEnd& attempt);

// Whether a try that has no response head after the hedge delay is sent to another endpoint too.
enum class HedgeVerdict : std::uint8_t {
  kHedge,
  kOff,            // the route does not hedge
  kNotIdempotent,  // POST, PATCH...: never sent twice at once, whatever retry.non_idempotent says
  kBodyNotHeld,    // the body streams (or was consumed): there is nothing to send again
  kMaxReached,     // hedge.max hedges already went out
  kOutOfTime,      // the route's retry.timeout has passed
  kNoEndpoint,     // no other available endpoint
  kOverBudget,     // the upstream's retry budget has no slot
};

// `hedges_sent`: hedges this request already made; `endpoint_left`: an available endpoint this
// request has not tried; `budget_slot`: the retry budget would admit one more retry now.
HedgeVerdict decide_hedge(const HedgePolicy& policy, const RetryState& request,
                          std::uint32_t hedges_sent, bool endpoint_left, bool budget_slot);

// Whether retry.per_try_timeout bounds a try of this request (else the read timeout does): only
// idempotent requests whose body is held whole, which a timed-out try can be replayed from.
bool per_try_applies(const RetryPolicy& policy, const RetryState& request) noexcept;

// retry.on's `crashed`: a route that replays crashes like any broken connection.
inline constexpr std::uint32_t kReplayCrashes = config::retry_bit(config::RetryOn::crashed);

// Whether the supervisor's verdict on the attempt's instance matters: the connection broke after
// the request went out, and the route does not replay crashes unconditionally (`crashed`).
bool wants_crash_verdict(const RetryPolicy& policy, const AttemptEnd& attempt) noexcept;

// The condition an attempt failure falls under (connect errors and resets are `error`).
config::RetryOn failure_reason(upstream::OutcomeKind failure) noexcept;

}  // namespace flotilla::gateway
