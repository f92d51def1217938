// Incremental end-of-head finder shared by the request and response parsers.
// Owns only offsets into the caller's buffer; must never copy bytes or rescan what it has seen.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/limits.hpp"
#include "http/parse_error.hpp"

namespace flotilla::http {

// Finds the empty line ending a message head, a few bytes more each call (picohttpparser-style
// "is complete" pass). While scanning it rejects bare LF and enforces the size limits, so a peer
// cannot make the parser buffer more than the limits allow before the full parse runs.
class HeadScanner {
 public:
  enum class State : unsigned char { kIncomplete, kComplete, kError };

  State scan(std::string_view buffer, const Limits& limits) noexcept;
  void reset() noexcept { *this = HeadScanner{}; }
  // Continues after bytes the parser has already validated: a start line beginning at offset 0
  // whose CR is at `start_line_end`, then complete field lines up to `scanned` (no bare LF, no
  // empty line). Limits still count from the start.
  void resume(std::size_t start_line_end, std::size_t scanned) noexcept {
    in_head_ = true;
    start_line_done_ = true;
    head_start_ = 0;
    start_line_end_ = start_line_end;
    scanned_ = scanned;
  }

  ParseError error() const noexcept { return error_; }
  std::size_t head_start() const noexcept { return head_start_; }          // after leading CRLFs
  std::size_t start_line_end() const noexcept { return start_line_end_; }  // offset of its CR
  std::size_t head_end() const noexcept { return head_end_; }              // after the final LF

 private:
  State fail(ParseError e) noexcept {
    error_ = e;
    return State::kError;
  }

  std::size_t scanned_ = 0;
  std::size_t head_start_ = 0;
  std::size_t start_line_end_ = 0;
  std::size_t head_end_ = 0;
  bool in_head_ = false;          // leading empty lines skipped
  bool start_line_done_ = false;  // the start line's CRLF was seen
  ParseError error_ = ParseError::kNone;
};

}  // namespace flotilla::http
