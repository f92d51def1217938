// The incremental driver both head parsers share: an optimistic one-pass parse of a first read
// holding a whole head, else scan-then-parse, where the scanner's verdict order is the reference
// so the result never depends on how bytes were split. Owns the parse state of one message;
// never allocates or throws. The start-line + fields parse itself is the caller's `parse_head`.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/field_parser.hpp"
#include "http/head_scanner.hpp"
#include "http/limits.hpp"
#include "http/message.hpp"

namespace flotilla::http::detail {

class HeadDriver {
 public:
  // `error_status` 0: answer each error with status_for(error) (requests); else that status
  // for every error (responses: 502).
  HeadDriver(const Limits& limits, std::uint16_t error_status) noexcept
      : limits_(limits), error_status_(error_status) {}

  // `parse_head(line, line_end, end)` parses the start line [line, line_end) (line_end is its
  // CR) and the fields up to at most `end`; kNone with head_end == nullptr means incomplete.
  template <class ParseHead>
  ParseResult parse(std::string_view buffer, ParseHead&& parse_head) noexcept {
    if (result_.status != ParseStatus::kIncomplete) return result_;
    if (!scanning_) {
      scanning_ = true;
      if (parse_whole(buffer, parse_head)) return result_;
    }
    switch (scanner_.scan(buffer, limits_)) {
      case HeadScanner::State::kIncomplete:
        return result_;
      case HeadScanner::State::kError:
        return fail(scanner_.error());
      case HeadScanner::State::kComplete:
        break;
    }
    const char* base = buffer.data();
    const FieldsResult r = parse_head(base + scanner_.head_start(),
                                      base + scanner_.start_line_end(), base + scanner_.head_end());
    if (r.error != ParseError::kNone) return fail(r.error);
    // Unreachable: the scanner found the first empty line, and so does the field parser.
    if (r.head_end != base + scanner_.head_end()) return fail(ParseError::kInvalidHeaderName);
    return complete(scanner_.head_end());
  }

  void reset() noexcept;
  const Limits& limits() const noexcept { return limits_; }

 private:
  // A first read usually holds a whole, valid head, parsed then in one pass instead of scan +
  // parse (measured ~25% faster). Any doubt (partial head, leading empty line, over a limit,
  // invalid) falls back to the scanner.
  template <class ParseHead>
  bool parse_whole(std::string_view buffer, ParseHead& parse_head) noexcept {
    if (buffer.empty() || buffer.front() == '\r' || buffer.front() == '\n') return false;
    const char* base = buffer.data();
    const char* end = base + buffer.size();
    const char* line_end = find_start_line_end(base, end);
    if (line_end == nullptr ||
        static_cast<std::size_t>(line_end - base) > limits_.max_request_line) {
      return false;
    }
    const FieldsResult r = parse_head(base, line_end, end);
    if (r.error != ParseError::kNone) return false;
    if (r.head_end == nullptr) {
      // Every line before r.resume is valid, so the scanner needs not look at them again.
      scanner_.resume(static_cast<std::size_t>(line_end - base),
                      static_cast<std::size_t>(r.resume - base));
      return false;
    }
    if (static_cast<std::size_t>(r.head_end - (line_end + 2)) > limits_.max_header_bytes) {
      return false;
    }
    complete(static_cast<std::size_t>(r.head_end - base));
    return true;
  }

  ParseResult fail(ParseError e) noexcept;
  ParseResult complete(std::size_t consumed) noexcept;

  Limits limits_;
  HeadScanner scanner_;
  ParseResult result_;
  std::uint16_t error_status_;
  bool scanning_ = false;  // the optimistic whole-head pass was tried
};

}  // namespace flotilla::http::detail
