// Every way an HTTP/1.1 message can be rejected, and the status code a server answers with.
// Plain enum + constexpr tables; must never allocate or depend on anything but the std library.
#pragma once

#include <cstdint>
#include <string_view>

namespace flotilla::http {

enum class ParseError : std::uint8_t {
  kNone = 0,
  // start line
  kInvalidRequestLine,  // not exactly `method SP target SP version`
  kInvalidMethod,       // method is not a token
  kInvalidTarget,       // CTL/SP/DEL in the target, or a form the method does not allow
  kRequestLineTooLong,  // 414
  kInvalidVersion,      // not `HTTP/DIGIT.DIGIT` (lowercase, trailing space…)
  kUnsupportedVersion,  // well-formed but not HTTP/1.0 or HTTP/1.1: 505
  kInvalidStatusLine,
  kInvalidStatusCode,  // not 3 digits in 100..599
  // line structure
  kBareLf,   // LF not preceded by CR
  kBareCr,   // CR not followed by LF
  kObsFold,  // a line starting with SP/HTAB (obsolete line folding)
  // field lines
  kEmptyHeaderName,
  kInvalidHeaderName,      // non-token byte in the name, or no colon
  kWhitespaceBeforeColon,  // `Name : value`
  kInvalidHeaderValue,     // CTL (other than HTAB) or DEL in a value
  kHeadersTooLarge,        // 431
  kTooManyHeaders,         // 431
  // field semantics
  kMissingHost,  // HTTP/1.1 request without Host
  kDuplicateHost,
  kInvalidHost,
  kInvalidContentLength,      // not 1*DIGIT (sign, space, hex, empty, > 2^63-1)
  kConflictingContentLength,  // differing values
  kContentLengthWithTransferEncoding,
  kInvalidTransferEncoding,    // chunked missing, not last, or repeated
  kUnsupportedTransferCoding,  // a coding other than chunked: 501
  kTransferEncodingOnHttp10,
  kInvalidConnection,  // a Connection element that is not a token
  // body (chunked framing, truncation)
  kInvalidChunkSize,  // not 1*HEXDIG (sign, 0x, space, empty)
  kChunkSizeOverflow,
  kInvalidChunkExtension,
  kChunkLineTooLong,
  kMissingChunkCrlf,  // chunk data not followed by exactly CRLF
  kInvalidTrailer,
  kTrailersTooLarge,
  kBodyTruncated,  // the connection closed before the framing said the body ends
};

// The status a server answers a request rejected with `e`.
constexpr int status_for(ParseError e) noexcept {
  switch (e) {
    case ParseError::kNone:
      return 200;
    case ParseError::kRequestLineTooLong:
      return 414;
    case ParseError::kHeadersTooLarge:
    case ParseError::kTooManyHeaders:
      return 431;
    case ParseError::kUnsupportedTransferCoding:
      return 501;
    case ParseError::kUnsupportedVersion:
      return 505;
    default:
      return 400;
  }
}

constexpr std::string_view to_string(ParseError e) noexcept {
  switch (e) {
    case ParseError::kNone:
      return "none";
    case ParseError::kInvalidRequestLine:
      return "invalid request line";
    case ParseError::kInvalidMethod:
      return "invalid method";
    case ParseError::kInvalidTarget:
      return "invalid request target";
    case ParseError::kRequestLineTooLong:
      return "request line too long";
    case ParseError::kInvalidVersion:
      return "invalid HTTP version";
    case ParseError::kUnsupportedVersion:
      return "unsupported HTTP version";
    case ParseError::kInvalidStatusLine:
      return "invalid status line";
    case ParseError::kInvalidStatusCode:
      return "invalid status code";
    case ParseError::kBareLf:
      return "bare LF";
    case ParseError::kBareCr:
      return "bare CR";
    case ParseError::kObsFold:
      return "obsolete line folding";
    case ParseError::kEmptyHeaderName:
      return "empty header name";
    case ParseError::kInvalidHeaderName:
      return "invalid header name";
    case ParseError::kWhitespaceBeforeColon:
      return "whitespace before colon";
    case ParseError::kInvalidHeaderValue:
      return "invalid header value";
    case ParseError::kHeadersTooLarge:
      return "header section too large";
    case ParseError::kTooManyHeaders:
      return "too many headers";
    case ParseError::kMissingHost:
      return "missing Host";
    case ParseError::kDuplicateHost:
      return "duplicate Host";
    case ParseError::kInvalidHost:
      return "invalid Host";
    case ParseError::kInvalidContentLength:
      return "invalid Content-Length";
    case ParseError::kConflictingContentLength:
      return "conflicting Content-Length";
    case ParseError::kContentLengthWithTransferEncoding:
      return "Content-Length with Transfer-Encoding";
    case ParseError::kInvalidTransferEncoding:
      return "invalid Transfer-Encoding";
    case ParseError::kUnsupportedTransferCoding:
      return "unsupported transfer coding";
    case ParseError::kTransferEncodingOnHttp10:
      return "Transfer-Encoding on HTTP/1.0";
    case ParseError::kInvalidConnection:
      return "invalid Connection";
    case ParseError::kInvalidChunkSize:
      return "invalid chunk size";
    case ParseError::kChunkSizeOverflow:
      return "chunk size overflow";
    case ParseError::kInvalidChunkExtension:
      return "invalid chunk extension";
    case ParseError::kChunkLineTooLong:
      return "chunk line too long";
    case ParseError::kMissingChunkCrlf:
      return "chunk data not followed by CRLF";
    case ParseError::kInvalidTrailer:
      return "invalid trailer";
    case ParseError::kTrailersTooLarge:
      return "trailer section too large";
    case ParseError::kBodyTruncated:
      return "body truncated";
  }
  return "unknown";
}

}  // namespace flotilla::http
