// Strict, incremental, zero-copy HTTP/1.1 response head parser (RFC 9112) for upstream replies.
// Owns the header index of one response; must never allocate per response, copy bytes or throw.
//
// Same field rules as request_parser.hpp (items 1, 7, 9, 10, 12); response-specific decisions:
//  - Status line `HTTP/1.x SP 3DIGIT SP reason`; the SP before an empty reason may be omitted
//    (`HTTP/1.1 200\r\n`, common in the wild). Status must be 100..599. Other versions rejected.
//  - Framing (RFC 9112 §6.3): HEAD requests, 1xx, 204 and 304 have no body whatever CL/TE say
//    (CL is still validated and reported); 2xx to CONNECT has none (tunnel). Transfer-Encoding
//    must be exactly `chunked` (anything else: kInvalidTransferEncoding /
//    kUnsupportedTransferCoding), never on HTTP/1.0. Without CL/TE the body runs until close.
//  - 101 sets `upgrade`; other 1xx set `informational` (parse the final response next).
//  - Every error answers 502 (http_status), the status a proxy sends for a bad upstream reply.
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

class ResponseParser {
 public:
  explicit ResponseParser(const Limits& limits = {});

  // Same contract as RequestParser::parse. The method of the request this answers decides
  // whether a body follows (set it with reset()).
  ParseResult parse(std::string_view buffer) noexcept;

  const ResponseHead& head() const noexcept { return head_; }
  void reset(Method request_method = Method::kGet) noexcept;

 private:
  detail::FieldsResult parse_head(const char* line, const char* line_end, const char* end) noexcept;

  detail::HeadDriver driver_;
  std::vector<Header> headers_;
  ResponseHead head_;
  Method request_method_ = Method::kGet;
};

}  // namespace flotilla::http
