// Types of a parsed HTTP/1.1 message head and body step: plain structs, no behaviour.
// Every std::string_view points into the caller's read buffer; nothing here owns or copies bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "http/parse_error.hpp"

namespace flotilla::http {

enum class Method : std::uint8_t {
  kOther = 0,  // any other token; see method_text
  kGet,
  kHead,
  kPost,
  kPut,
  kDelete,
  kConnect,
  kOptions,
  kTrace,
  kPatch,
};

enum class Version : std::uint8_t { kHttp10, kHttp11 };

// RFC 9112 §3.2: the four request-target forms.
enum class TargetForm : std::uint8_t { kOrigin, kAbsolute, kAuthority, kAsterisk };

// RFC 9112 §6.3: how the body that follows the head is delimited.
enum class BodyFraming : std::uint8_t {
  kNone,           // no body (also: HEAD responses, 1xx, 204, 304, requests without CL/TE)
  kContentLength,  // exactly content_length bytes (may be 0)
  kChunked,        // Transfer-Encoding: chunked
  kUntilClose,     // responses only: everything until the server closes
};

// Header names the proxy acts on, recognised once during the parse (case-insensitively) so that
// later stages compare a byte instead of a string. Values stay below 64 to fit a bitmask.
enum class HeaderId : std::uint8_t {
  kOther = 0,
  kHost,
  kContentLength,
  kTransferEncoding,
  kConnection,
  kKeepAlive,
  kProxyConnection,
  kTe,
  kTrailer,
  kUpgrade,
  kExpect,
  kVia,
  kForwarded,
  kXForwardedFor,
  kXForwardedProto,
  kXForwardedHost,
  kXRealIp,
  kXRequestId,
  kContentType,
  kContentEncoding,
  kAcceptEncoding,
  kCacheControl,
  kPragma,
  kCookie,
  kSetCookie,
  kAuthorization,
  kDate,
  kServer,
  kLocation,
  kVary,
  kEtag,
  kLastModified,
  kExpires,
  kAge,
  kIfNoneMatch,
  kIfModifiedSince,
  kRange,
  kUserAgent,
};

constexpr std::uint64_t header_bit(HeaderId id) noexcept {
  return std::uint64_t{1} << static_cast<unsigned>(id);
}

struct Header {
  std::string_view name;   // as received (case preserved)
  std::string_view value;  // leading/trailing OWS removed
  // Whole field line from name.data(), CRLF included: adjacent kept lines are contiguous, which
  // lets the head writer forward runs of them as one piece.
  std::uint32_t line_size = 0;
  HeaderId id = HeaderId::kOther;
  // Named by a Connection option (RFC 9110 §7.6.1), hence hop-by-hop. Never set for Host,
  // Content-Length or Transfer-Encoding: dropping those would change the message's framing.
  bool connection_option = false;
};

struct RequestHead {
  std::string_view request_line;  // CRLF excluded
  std::string_view method_text;
  std::string_view target;
  // The authority to route on: the target's authority for absolute/authority form (RFC 9112
  // §3.2.2 says it wins over Host), else the Host value. Empty if neither gives one.
  std::string_view host;
  std::string_view upgrade_protocol;  // Upgrade value when `upgrade`
  std::span<const Header> headers;    // valid until the parser is reset or parses again
  std::uint64_t content_length = 0;   // when framing == kContentLength
  std::size_t head_size = 0;          // request line through the final CRLF
  Method method = Method::kOther;
  Version version = Version::kHttp11;
  TargetForm target_form = TargetForm::kOrigin;
  BodyFraming framing = BodyFraming::kNone;
  bool keep_alive = false;              // RFC 9112 §9.3 persistence after this exchange
  bool expect_continue = false;         // Expect: 100-continue on HTTP/1.1
  bool upgrade = false;                 // HTTP/1.1, Upgrade present and Connection: upgrade
  bool has_connection_options = false;  // some header has connection_option set
};

struct ResponseHead {
  std::string_view status_line;  // CRLF excluded
  std::string_view reason;
  std::string_view upgrade_protocol;  // Upgrade value on a 101
  std::span<const Header> headers;
  std::uint64_t content_length = 0;  // declared Content-Length (even when framing is kNone)
  std::size_t head_size = 0;
  int status = 0;
  Version version = Version::kHttp11;
  BodyFraming framing = BodyFraming::kNone;
  bool keep_alive = false;
  bool informational = false;  // 1xx other than 101: a final response follows
  bool upgrade = false;        // 101 Switching Protocols: the connection becomes a tunnel
  bool has_connection_options = false;
};

enum class ParseStatus : std::uint8_t { kIncomplete, kComplete, kError };

struct ParseResult {
  ParseStatus status = ParseStatus::kIncomplete;
  ParseError error = ParseError::kNone;
  std::uint16_t http_status = 0;  // on kError: what to answer (400/414/431/501/505, 502 upstream)
  std::size_t consumed = 0;       // on kComplete: head bytes incl. tolerated leading CRLFs

  bool complete() const noexcept { return status == ParseStatus::kComplete; }
  bool incomplete() const noexcept { return status == ParseStatus::kIncomplete; }
  bool failed() const noexcept { return status == ParseStatus::kError; }
};

// One step of body decoding: a zero-copy view of body bytes and how much input it took.
struct BodyStep {
  std::string_view data;     // body bytes (a view into the input), possibly empty
  std::size_t consumed = 0;  // input bytes used, framing bytes included
  bool done = false;         // the body (and trailers) ended within `consumed`
  ParseError error = ParseError::kNone;

  bool failed() const noexcept { return error != ParseError::kNone; }
};

}  // namespace flotilla::http
