// Responses the gateway writes itself: 400/413/414/431 for rejected requests, 502/503/504 when
// the upstream side fails, the listener's health answers. Small bodies, text or JSON by Accept.
// Writes into a caller-owned string reused across requests (no allocation once warmed up).
#pragma once

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace flotilla::gateway {

std::string_view reason_phrase(int status) noexcept;

// True when the client's Accept names application/json (or +json) before text/html/plain.
bool prefers_json(const http::RequestHead& head) noexcept;

// The same for a head the codec rejected (400/431/505), from its raw bytes: the parser gives no
// header list then, but an Accept line that arrived still says how the client reads errors.
bool prefers_json_raw(std::string_view head_bytes) noexcept;

struct ErrorResponse {
  int status = 502;
  bool json = false;
  bool close = false;           // adds Connection: close
  int retry_after_seconds = 0;  // adds Retry-After when > 0 (503)
  std::string_view request_id;  // adds X-Request-Id when not empty
  std::string_view date;        // adds Date when not empty (HttpDate::now())
  std::string_view detail;      // one short sentence for the body; default: the reason phrase
  // A HEAD request's answer: the same head (Content-Length of the body a GET would get), no
  // body bytes, or a pipelined request's response would start inside them.
  bool head_only = false;
};

// Replaces `out` with the whole response (head and body).
void write_error_response(std::string& out, const ErrorResponse& response);

// A plain 200/503 answer to a listener health or readiness path (`head_only`, `date` as above).
void write_plain_response(std::string& out, int status, std::string_view body, bool close,
                          bool head_only, std::string_view date = {});

}  // namespace flotilla::gateway
