// Test helper: runs a raw message through head parser + body reader, fed in slices of any size,
// and reports the verdict. Header-only and std-only so the fuzz harness can reuse it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "http/body_reader.hpp"
#include "http/request_parser.hpp"
#include "http/response_parser.hpp"

namespace flotilla::http::testing {

struct Verdict {
  bool accepted = false;  // head and body complete and valid
  int status = 0;         // on rejection: the status to answer
  ParseError error = ParseError::kNone;
  bool head_complete = false;
  std::size_t head_consumed = 0;
  std::size_t body_bytes = 0;
  std::size_t total_consumed = 0;  // head + body framing
  std::string body;                // decoded body
};

// Feeds `raw` `slice` bytes at a time (growing one buffer, as a connection does).
template <typename Parser>
Verdict run_message(Parser& parser, std::string_view raw, std::size_t slice, bool is_request) {
  Verdict v;
  const int error_status = is_request ? 0 : 502;
  std::string buffer;
  std::size_t fed = 0;
  ParseResult r;
  while (true) {
    const std::size_t n = std::min(slice, raw.size() - fed);
    buffer.append(raw.substr(fed, n));
    fed += n;
    r = parser.parse(buffer);
    if (!r.incomplete() || fed == raw.size()) break;
  }
  if (r.failed()) {
    v.error = r.error;
    v.status = r.http_status;
    return v;
  }
  if (r.incomplete()) return v;
  v.head_complete = true;
  v.head_consumed = r.consumed;

  const auto& head = parser.head();
  BodyReader body;
  body.start(head.framing, head.content_length);
  // Body bytes arrive in the same slices; the leftover of the head's last read comes first.
  std::string pending = buffer.substr(r.consumed);
  std::size_t used = r.consumed;
  while (true) {
    while (!pending.empty() && !body.done()) {
      const BodyStep step = body.next(pending);
      if (step.failed()) {
        v.error = step.error;
        v.status = error_status != 0 ? error_status : status_for(step.error);
        return v;
      }
      v.body.append(step.data);
      used += step.consumed;
      pending.erase(0, step.consumed);
      if (step.consumed == 0) break;
    }
    if (body.done() || fed == raw.size()) break;
    const std::size_t n = std::min(slice, raw.size() - fed);
    pending.append(raw.substr(fed, n));
    fed += n;
  }
  if (!body.done() && body.finish_at_eof() != ParseError::kNone) return v;  // incomplete
  v.accepted = true;
  v.body_bytes = v.body.size();
  v.total_consumed = used;
  return v;
}

inline Verdict run_request(std::string_view raw, std::size_t slice = std::string_view::npos) {
  RequestParser parser;
  return run_message(parser, raw, slice, true);
}

inline Verdict run_response(std::string_view raw, std::size_t slice = std::string_view::npos,
                            Method request_method = Method::kGet) {
  ResponseParser parser;
  parser.reset(request_method);
  return run_message(parser, raw, slice, false);
}

}  // namespace flotilla::http::testing
