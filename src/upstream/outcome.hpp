// How one attempt against an endpoint ended, as the gateway reports it to UpstreamState.
// Plain types only; the classification rules live in upstream_state.cpp.
#pragma once

#include <cstdint>

namespace flotilla::upstream {

enum class OutcomeKind : std::uint8_t {
  response,        // a response head arrived; see `status`
  connect_error,   // refused, unreachable, TLS handshake failed
  reset,           // connection closed or reset before a complete response head
  timeout,         // connect / send / read timeout
  invalid_header,  // the upstream sent an unparsable response head
  cancelled,       // the client went away: says nothing about the endpoint's health
};

struct Outcome {
  OutcomeKind kind = OutcomeKind::response;
  std::uint16_t status = 0;  // for `response`
  // The route treats this status as an upstream failure (nginx lists `http_502` etc. in
  // proxy_next_upstream): it then counts for max_fails like a connect error does.
  bool status_is_failure = false;
  // The gateway gave up waiting (a per-try timeout, a hedge that lost): the endpoint may still be
  // working on it, so it keeps counting as load until the endpoint completes something.
  bool abandoned = false;

  static constexpr Outcome ok(std::uint16_t status = 200) {
    return {OutcomeKind::response, status, false, false};
  }
  static constexpr Outcome http(std::uint16_t status, bool is_failure) {
    return {OutcomeKind::response, status, is_failure, false};
  }
  static constexpr Outcome error(OutcomeKind kind) { return {kind, 0, false, false}; }
  static constexpr Outcome gave_up(OutcomeKind kind) { return {kind, 0, false, true}; }
};

}  // namespace flotilla::upstream
