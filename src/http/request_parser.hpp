// Strict, incremental, zero-copy HTTP/1.1 request head parser (RFC 9112) for the proxy hot path.
// Owns the header index of one request; must never allocate per request, copy bytes or throw.
//
// Intentional strictness/leniency decisions (the fuzz harness mirrors this list against llhttp):
//  1. Line endings are CRLF only: a bare LF or a bare CR anywhere in the head is an error (400).
//  2. Leading empty lines (CRLF only) before the request line are skipped (RFC 9112 §2.2); they
//     count toward max_request_line, and `consumed` includes them.
//  3. The request line is exactly `method SP target SP HTTP/x.y`: one SP each, nothing trailing.
//  4. Method: any token (case-sensitive; `get` is kOther, not kGet).
//  5. Target: bytes 0x00-0x20 and 0x7F are rejected; obs-text (0x80-0xFF) is accepted, as nginx
//     does, since some clients send raw UTF-8. `*` only with OPTIONS; CONNECT needs authority-form
//     `host:port`; any other target must start with `/` or be absolute-form `scheme:...`.
//     Userinfo (`@`) in an absolute-form or authority-form authority is rejected.
//  6. Version: `HTTP/1.0` and `HTTP/1.1` only. Well-formed `HTTP/d.d` otherwise (HTTP/2.0, 1.2,
//     0.9) is 505; anything else (`http/1.1`, `HTTP/1.10`, `HTTP/1.1 `) is 400.
//  7. Field lines: name is a non-empty token immediately followed by `:`; whitespace before the
//     colon is rejected (RFC 9112 §5.1), as is obs-fold (a line starting with SP/HTAB, including
//     the first one). Values: HTAB, SP, VCHAR, obs-text; any other CTL or DEL is rejected.
//  8. Host: required on HTTP/1.1, optional on 1.0; a second Host (even identical) is rejected;
//     the value must be empty or uri-host[:port] characters (no `/`, `@`, space…).
//  9. Content-Length: 1*DIGIT (leading zeros allowed), at most 2^63-1; OWS around the value is
//     field syntax, not part of it (`Content-Length:  5` is 5). Duplicates (separate lines or a `5,
//     5` list) are accepted when every value is numerically identical (RFC 9110 §8.6), rejected
//     otherwise.
// 10. Content-Length together with Transfer-Encoding is rejected (400), never "TE wins".
// 11. Transfer-Encoding: the codings of all TE lines in order; empty list elements are ignored.
//     `chunked` must be present, last and once, else 400 (RFC 9112 §6.3); then any other coding
//     (gzip, identity, xchunked…) is 501. So the only accepted value is `chunked`
//     (case-insensitive). Any Transfer-Encoding on an HTTP/1.0 request is 400.
// 12. Connection: comma-separated tokens (a non-token element is 400). `close` wins over
//     `keep-alive`. Other tokens mark the headers they name as hop-by-hop, except Host,
//     Content-Length and Transfer-Encoding, which are never dropped through Connection.
// 13. Expect: only `100-continue` (case-insensitive) sets expect_continue, and only on 1.1;
//     other expectations are left for the caller to forward or refuse.
// 14. Upgrade is honoured only on HTTP/1.1 with a `Connection: upgrade` option (RFC 9110 §7.8).
// 15. Limits: request line > max_request_line is 414; header section > max_header_bytes or more
//     than max_headers fields is 431. Limits are checked while scanning, before the full parse.
// 16. The verdict never depends on how the bytes were split across reads: errors found by the
//     incremental scan (bare LF, limits) come first, in byte order, then those of the full parse.
//     A first read holding a whole valid head is parsed in one pass without the scan; anything
//     else (partial, invalid, over a limit) goes through scan + parse, the reference order.
#pragma once

#include <string_view>
#include <vector>

#include "http/head_driver.hpp"
#include "http/limits.hpp"
#include "http/message.hpp"

namespace flotilla::http {

namespace detail {
struct FieldsResult;
}  // namespace detail

class RequestParser {
 public:
  explicit RequestParser(const Limits& limits = {});

  // `buffer` is everything received for this request so far, starting at its first byte. Call
  // again with the grown buffer after kIncomplete; only new bytes are scanned. After kComplete,
  // head() is valid while the buffer lives and until reset(); call reset() and pass the bytes
  // after `consumed` for a pipelined request. After kError the same result repeats until reset.
  ParseResult parse(std::string_view buffer) noexcept;

  const RequestHead& head() const noexcept { return head_; }
  const Limits& limits() const noexcept { return driver_.limits(); }
  void reset() noexcept;

 private:
  // Parses the head whose start line is [line, line_end) (line_end is its CR), fields up to at
  // most `end`. kNone with head_end == nullptr means the fields ran past `end` (incomplete).
  detail::FieldsResult parse_head(const char* line, const char* line_end, const char* end) noexcept;

  detail::HeadDriver driver_;
  std::vector<Header> headers_;  // sized once to max_headers, reused for every request
  RequestHead head_;
};

}  // namespace flotilla::http
