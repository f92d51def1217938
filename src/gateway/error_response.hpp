// The bodies of answers the gateway makes itself: 400/413/414/431 for rejected requests,
// 404/405, 502/503/504 when the upstream side fails. Small bodies, text or JSON by Accept.
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

struct ErrorBody {
  int status = 502;
  bool json = false;
  std::string_view detail;  // one short sentence; default: the reason phrase
};

// The body of an answer the gateway makes itself: `detail` and a newline as text, or
// {"error":REASON,"status":N,"detail":DETAIL} as JSON. Replaces `out`; returns it.
std::string_view write_error_body(std::string& out, const ErrorBody& body);

// The 503 detail when an upstream had no endpoint to try: "upstream 'NAME' has no ready
// endpoint", in a per-thread buffer (no allocation once warmed up) valid until the next call on
// this thread: pass it straight to write_error_body.
std::string_view no_ready_endpoint_detail(std::string_view upstream);

}  // namespace flotilla::gateway
