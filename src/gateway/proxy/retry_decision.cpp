#include "gateway/proxy/retry_decision.hpp"

#include <algorithm>

namespace flotilla::gateway {
namespace {

using config::RetryOn;
using upstream::OutcomeKind;

bool may_try_again(const RetryPolicy& policy, const RetryState& request) {
  return request.attempts < kMaxAttempts && request.replayable && request.within_time_budget &&
         request.attempts < std::min(policy.tries, kMaxAttempts);
}

Decision fail(OutcomeKind failure) {
  Decision decision;
  decision.step = NextStep::kFail;
  decision.status = failure == OutcomeKind::timeout ? 504 : 502;
  return decision;
}

Decision retry(RetryOn reason, bool counted) {
  Decision decision;
  decision.step = NextStep::kRetry;
  decision.reason = reason;
  decision.counted = counted;
  return decision;
}

Decision after_failure(const RetryPolicy& policy, const RetryState& request, OutcomeKind failure,
                       bool request_sent) {
  if (request.attempts >= kMaxAttempts || !request.replayable || !request.within_time_budget) {
    return fail(failure);
  }
  // Never replay what may have changed state upstream, unless the route allows it.
  if (request_sent && !request.idempotent && !policy.non_idempotent) return fail(failure);
  const RetryOn reason = failure_reason(failure);
  // The connection broke before any response byte: an idempotent request is always retried on
  // another endpoint, outside the budget and the policy (the endpoint, not the request, failed).
  if (request.idempotent &&
      (failure == OutcomeKind::connect_error || failure == OutcomeKind::reset)) {
    return retry(reason, false);
  }
  if ((policy.on & config::retry_bit(reason)) == 0 || request.attempts >= policy.tries) {
    return fail(failure);
  }
  return retry(reason, reason != RetryOn::error);
}

// The query of death (an instance crashed by itself holding the request): a request alone in the
// crash, or in its second one, is not replayed, so one poisonous request costs one instance (two
// at worst, under concurrency); a request caught beside others is an innocent bystander, replayed
// once by the usual rules.
Decision after_crash(const RetryPolicy& policy, const RetryState& request,
                     const AttemptEnd& attempt) {
  if (attempt.crash == InstanceCrash::alone || request.suspect) {
    Decision refused = fail(attempt.failure);
    refused.suspect = true;
    refused.refused = true;
    return refused;
  }
  Decision decision = after_failure(policy, request, attempt.failure, attempt.request_sent);
  decision.suspect = true;
  return decision;
}

}  // namespace

bool wants_crash_verdict(const RetryPolicy& policy, const AttemptEnd& attempt) noexcept {
  return !attempt.head && attempt.request_sent && attempt.failure == OutcomeKind::reset &&
         (policy.on & kReplayCrashes) == 0;
}

config::RetryOn failure_reason(upstream::OutcomeKind failure) noexcept {
  switch (failure) {
    case OutcomeKind::timeout:
      return RetryOn::timeout;
    case OutcomeKind::invalid_header:
      return RetryOn::invalid_header;
    default:
      return RetryOn::error;
  }
}

HedgeVerdict decide_hedge(const HedgePolicy& policy, const RetryState& request,
                          std::uint32_t hedges_sent, bool endpoint_left, bool budget_slot) {
  if (policy.max == 0) return HedgeVerdict::kOff;
  if (!request.idempotent) return HedgeVerdict::kNotIdempotent;
  if (!request.body_held || !request.replayable) return HedgeVerdict::kBodyNotHeld;
  if (hedges_sent >= policy.max || request.attempts + hedges_sent >= kMaxAttempts) {
    return HedgeVerdict::kMaxReached;
  }
  if (!request.within_time_budget) return HedgeVerdict::kOutOfTime;
  if (!endpoint_left) return HedgeVerdict::kNoEndpoint;
  if (!budget_slot) return HedgeVerdict::kOverBudget;
  return HedgeVerdict::kHedge;
}

bool per_try_applies(const RetryPolicy& policy, const RetryState& request) noexcept {
  return policy.per_try.mode != upstream::AdaptiveTimeout::Mode::off && request.idempotent &&
         request.body_held && request.replayable;
}

Decision decide(const RetryPolicy& policy, const RetryState& request, const AttemptEnd& attempt) {
  if (!attempt.head) {
    if (attempt.crash != InstanceCrash::none && wants_crash_verdict(policy, attempt)) {
      return after_crash(policy, request, attempt);
    }
    return after_failure(policy, request, attempt.failure, attempt.request_sent);
  }
  // 101 answers an Upgrade request only (RFC 9110 §15.2.2): relayed to a client that never
  // asked, it would split the client's view of the connection from ours.
  if (attempt.status == 101) {
    if (!request.upgrade_requested) {
      return after_failure(policy, request, OutcomeKind::invalid_header, true);
    }
    Decision tunnel;
    tunnel.step = NextStep::kTunnel;
    return tunnel;
  }
  Decision forward;
  forward.step = NextStep::kForward;
  const auto status_reason = config::retry_on_status(attempt.status);
  if (!status_reason || (policy.on & config::retry_bit(*status_reason)) == 0) return forward;
  forward.status_is_failure = true;
  // A status the route retries on goes to another endpoint while the policy allows, else it is
  // forwarded as the upstream sent it.
  if (!may_try_again(policy, request) || (!request.idempotent && !policy.non_idempotent)) {
    return forward;
  }
  Decision again = retry(*status_reason, true);
  again.status_is_failure = true;
  return again;
}

}  // namespace flotilla::gateway
