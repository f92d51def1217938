// Response head parsing: status line (RFC 9112 §4) and the response's framing rules (§6.3).
// Must never allocate or throw per response; decisions are listed in response_parser.hpp.
#include "http/response_parser.hpp"

#include "http/char_class.hpp"
#include "http/field_parser.hpp"

namespace flotilla::http {
namespace {

using detail::fail_head;

constexpr std::uint16_t kBadGateway = 502;

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

}  // namespace

ResponseParser::ResponseParser(const Limits& limits)
    : driver_(limits, kBadGateway), headers_(limits.max_headers) {}

void ResponseParser::reset(Method request_method) noexcept {
  driver_.reset();
  head_ = ResponseHead{};
  request_method_ = request_method;
}

ParseResult ResponseParser::parse(std::string_view buffer) noexcept {
  return driver_.parse(buffer, [this](const char* line, const char* line_end, const char* end) {
    return parse_head(line, line_end, end);
  });
}

detail::FieldsResult ResponseParser::parse_head(const char* line_begin, const char* line_end,
                                                const char* end) noexcept {
  head_ = ResponseHead{};
  const std::string_view line(line_begin, static_cast<std::size_t>(line_end - line_begin));
  ResponseHead& h = head_;

  // HTTP-version SP 3DIGIT [SP reason-phrase]
  const std::string_view v = line.substr(0, 8);
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' ||
      !is_digit(v[7])) {
    return fail_head(ParseError::kInvalidVersion);
  }
  if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
    return fail_head(ParseError::kUnsupportedVersion);
  h.version = v[7] == '1' ? Version::kHttp11 : Version::kHttp10;
  if (line.size() < 12 || line[8] != ' ') return fail_head(ParseError::kInvalidStatusLine);
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) {
    return fail_head(ParseError::kInvalidStatusCode);
  }
  h.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (h.status < 100 || h.status > 599) return fail_head(ParseError::kInvalidStatusCode);
  if (line.size() > 12) {
    if (line[12] != ' ') return fail_head(ParseError::kInvalidStatusCode);
    const char* reason = line_begin + 13;
    const char* stop = detail::skip_field_text(reason, line_end);
    if (stop != line_end) {
      return fail_head(*stop == '\r' ? ParseError::kBareCr : ParseError::kInvalidStatusLine);
    }
    h.reason = std::string_view(reason, static_cast<std::size_t>(line_end - reason));
  }
  h.status_line = line;

  detail::FieldSummary s;
  s.is_request = false;
  const detail::FieldsResult fields = detail::parse_fields(line_end + 2, end, headers_, s);
  if (fields.error != ParseError::kNone || fields.head_end == nullptr) return fields;
  const bool http11 = h.version == Version::kHttp11;
  if (s.has_transfer_encoding) {
    if (s.has_content_length) return fail_head(ParseError::kContentLengthWithTransferEncoding);
    if (!http11) return fail_head(ParseError::kTransferEncodingOnHttp10);
    if (const ParseError e = detail::transfer_encoding_error(s); e != ParseError::kNone) {
      return fail_head(e);
    }
  }
  h.content_length = s.content_length;

  h.upgrade = h.status == 101;
  h.informational = h.status < 200 && !h.upgrade;
  const bool no_body = h.status < 200 || h.status == 204 || h.status == 304 ||
                       request_method_ == Method::kHead ||
                       (request_method_ == Method::kConnect && h.status < 300);
  if (no_body) {
    h.framing = BodyFraming::kNone;
  } else if (s.has_transfer_encoding) {
    h.framing = BodyFraming::kChunked;
  } else if (s.has_content_length) {
    h.framing = BodyFraming::kContentLength;
  } else {
    h.framing = BodyFraming::kUntilClose;
  }
  h.keep_alive =
      !s.conn_close && (http11 || s.conn_keep_alive) && h.framing != BodyFraming::kUntilClose;
  if (h.upgrade) h.upgrade_protocol = s.upgrade;
  std::span<Header> headers(headers_.data(), s.count);
  h.has_connection_options = s.conn_other && detail::mark_connection_options(headers);
  h.headers = headers;
  h.head_size = static_cast<std::size_t>(fields.head_end - line_begin);
  return fields;
}

}  // namespace flotilla::http
