// Parses the field lines of a head (shared by requests and responses) and sums up the fields
// that decide framing and persistence. Internal; must never allocate or read past the head.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "http/char_class.hpp"
#include "http/message.hpp"

namespace flotilla::http::detail {

struct FieldSummary {
  // Host is a request field (RFC 9112 §3.2): responses carry it only as an ordinary header.
  bool is_request = true;
  std::string_view host;
  std::string_view upgrade;
  std::uint64_t content_length = 0;
  std::size_t count = 0;
  bool has_host = false;
  bool has_content_length = false;
  bool has_transfer_encoding = false;
  bool te_chunked = false;    // `chunked` seen
  bool te_misplaced = false;  // a coding after `chunked` (including a second `chunked`)
  bool te_other = false;      // a coding other than `chunked`
  bool conn_close = false;
  bool conn_keep_alive = false;
  bool conn_upgrade = false;
  bool conn_other = false;  // an option naming some other header
  bool has_upgrade = false;
  bool expect_continue = false;
};

struct FieldsResult {
  ParseError error = ParseError::kNone;
  const char* head_end = nullptr;  // just past the final CRLF; nullptr (and kNone): incomplete
  const char* resume = nullptr;    // when incomplete: start of the line that ran past the end
};

// A head that cannot be parsed: the error alone (no end, nothing to resume from).
inline FieldsResult fail_head(ParseError e) noexcept {
  return {e, nullptr, nullptr};
}

// Parses the field lines from `p` up to `end` (the head end found by the scanner, or the end of
// the buffer on the optimistic first pass). Fills `out` (its size is the header limit).
FieldsResult parse_fields(const char* p, const char* end, std::span<Header> out,
                          FieldSummary& summary) noexcept;

// The CR ending the start line that begins at `p`, or nullptr if the first control byte in
// [p, end) is not a CR followed by LF (or there is none yet).
inline const char* find_start_line_end(const char* p, const char* end) noexcept {
  const char* cr = skip_field_text(p, end);
  return (end - cr >= 2 && cr[0] == '\r' && cr[1] == '\n') ? cr : nullptr;
}

// Verdict on the Transfer-Encoding codings (RFC 9112 §6.3 then §6.1), kNone if acceptable.
ParseError transfer_encoding_error(const FieldSummary& summary) noexcept;

// Marks the headers named by Connection options; returns whether any was marked.
bool mark_connection_options(std::span<Header> headers) noexcept;

}  // namespace flotilla::http::detail
