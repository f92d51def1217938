// Independent checks of raw HTTP bytes, used by the intended-difference predicates as evidence.
// Owns small RFC 9110/9112 readers written apart from flotilla's; must never call the codec.
#pragma once

#include <cstddef>
#include <string_view>

#include "framing.hpp"

namespace flotilla::fuzz::evidence {

bool iequals(std::string_view a, std::string_view b);
std::string_view trim_ows(std::string_view s);
bool is_tchar(char c);
bool is_token(std::string_view s);

std::size_t count_headers(const MessageFraming& m, std::string_view name);

// Calls f(element) for each OWS-trimmed element of every `name` field's comma-separated list,
// empty elements included; stops and returns true as soon as f does.
template <typename F>
bool any_list_element(const MessageFraming& m, std::string_view name, F&& f) {
  for (const auto& [field, value] : m.headers) {
    if (!iequals(field, name)) continue;
    std::string_view rest = value;
    for (;;) {
      const std::size_t comma = rest.find(',');
      if (f(trim_ows(rest.substr(0, comma)))) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

// A LF not preceded by CR / a CR not followed by LF (a CR at the very end does not count).
bool has_bare_lf(std::string_view bytes);
bool has_bare_cr(std::string_view bytes);
// A line (after the first) starting with SP or HTAB before the head's empty line.
bool has_obs_fold(std::string_view head);
// A CTL other than HTAB, or DEL, in the first line.
bool first_line_has_ctl(std::string_view bytes);

// RFC 9112 §3.2 / §3.2.2-4 as flotilla documents it: no CTL, SP or DEL; `*` only for OPTIONS;
// CONNECT takes authority-form host:port; others origin-form (`/`...) or absolute-form
// `scheme:...` whose `//authority` has only host characters (no userinfo `@`).
bool target_breaks_rfc9112(std::string_view method, std::string_view target);

// RFC 9112 §4: `HTTP/DIGIT.DIGIT SP 3DIGIT [SP reason]` (the SP before an empty reason may be
// missing), status 100..599, reason = *( HTAB / SP / VCHAR / obs-text ). `line` has no CRLF.
bool status_line_breaks_rfc9112(std::string_view line);

// Walks a chunked body strictly by RFC 9112 §7.1 from its first byte; true if the bytes break
// the grammar (size not 1*HEXDIG or above 2^63-1, malformed extension, data not followed by
// CRLF, malformed trailer line) before they run out.
// A violation counts as soon as the bytes received rule out any valid continuation.
bool chunked_body_violates_rfc(std::string_view body);
// The chunked body is valid so far and some chunk-size line carries extensions (or BWS).
bool chunked_body_valid_with_extensions(std::string_view body);
// The chunked body is valid so far, has reached its trailer section, and a trailer line there
// (its name complete) is a field called `name`.
bool chunked_trailers_have(std::string_view body, std::string_view name);

}  // namespace flotilla::fuzz::evidence
