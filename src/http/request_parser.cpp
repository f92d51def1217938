// Request head parsing: request line (RFC 9112 §3) and the request's framing rules (§6.1–6.3).
// Must never allocate or throw per request; every decision is listed in request_parser.hpp.
#include "http/request_parser.hpp"

#include "http/char_class.hpp"
#include "http/field_parser.hpp"
#include "http/header_names.hpp"

namespace flotilla::http {
namespace {

using detail::fail_head;

using detail::has_class;

struct VersionVerdict {
  ParseError error = ParseError::kNone;
  Version version = Version::kHttp11;
};

// `HTTP/DIGIT.DIGIT`, exactly 8 bytes (RFC 9112 §2.3): the name is case-sensitive.
VersionVerdict parse_version(std::string_view v) noexcept {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !digit(v[5]) || v[6] != '.' || !digit(v[7])) {
    return {ParseError::kInvalidVersion, Version::kHttp11};
  }
  if (v[5] == '1' && v[7] == '1') return {ParseError::kNone, Version::kHttp11};
  if (v[5] == '1' && v[7] == '0') return {ParseError::kNone, Version::kHttp10};
  return {ParseError::kUnsupportedVersion, Version::kHttp11};
}

bool is_authority(std::string_view a) noexcept {
  for (const char c : a) {
    if (!has_class(c, detail::kHostChar)) return false;  // no `@` userinfo, `/`, `?`, `#`
  }
  return true;
}

struct TargetVerdict {
  ParseError error = ParseError::kNone;
  TargetForm form = TargetForm::kOrigin;
  std::string_view authority;
};

constexpr TargetVerdict kBadTarget{ParseError::kInvalidTarget, TargetForm::kOrigin, {}};

// RFC 9112 §3.2: which form the target has, and whether the method allows it.
TargetVerdict classify_target(std::string_view t, Method method) noexcept {
  if (t == "*") {
    if (method != Method::kOptions) return kBadTarget;
    return {ParseError::kNone, TargetForm::kAsterisk, {}};
  }
  if (method == Method::kConnect) {
    // authority-form: uri-host ":" port
    const std::size_t colon = t.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == t.size() ||
        !is_authority(t)) {
      return kBadTarget;
    }
    for (const char c : t.substr(colon + 1)) {
      if (c < '0' || c > '9') return kBadTarget;
    }
    return {ParseError::kNone, TargetForm::kAuthority, t};
  }
  if (t.front() == '/') return {ParseError::kNone, TargetForm::kOrigin, {}};

  // absolute-form: scheme ":" hier-part; the authority follows "//".
  const bool alpha = (t.front() | 0x20) >= 'a' && (t.front() | 0x20) <= 'z';
  std::size_t i = 0;
  while (i < t.size() && has_class(t[i], detail::kSchemeChar)) ++i;
  if (!alpha || i == t.size() || t[i] != ':') return kBadTarget;
  std::string_view rest = t.substr(i + 1);
  std::string_view authority;
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    authority = rest.substr(0, rest.find_first_of("/?#"));
    if (!is_authority(authority)) return kBadTarget;
  }
  return {ParseError::kNone, TargetForm::kAbsolute, authority};
}

}  // namespace

RequestParser::RequestParser(const Limits& limits)
    : driver_(limits, 0), headers_(limits.max_headers) {}

void RequestParser::reset() noexcept {
  driver_.reset();
  head_ = RequestHead{};
}

ParseResult RequestParser::parse(std::string_view buffer) noexcept {
  return driver_.parse(buffer, [this](const char* line, const char* line_end, const char* end) {
    return parse_head(line, line_end, end);
  });
}

detail::FieldsResult RequestParser::parse_head(const char* line, const char* line_end,
                                               const char* end) noexcept {
  head_ = RequestHead{};
  RequestHead& h = head_;

  // method SP request-target SP HTTP-version, one SP each.
  const char* p = line;
  while (detail::is_token_char(*p)) ++p;
  if (*p != ' ') {
    if (p == line_end && p != line) return fail_head(ParseError::kInvalidRequestLine);
    if (*p == '\r') return fail_head(ParseError::kBareCr);
    return fail_head(ParseError::kInvalidMethod);
  }
  if (p == line) return fail_head(ParseError::kInvalidMethod);
  h.method_text = std::string_view(line, static_cast<std::size_t>(p - line));
  h.method = method_from(h.method_text);

  const char* target = ++p;
  p = detail::skip_target(p, line_end);
  if (p == target || p == line_end) return fail_head(ParseError::kInvalidRequestLine);
  if (*p != ' ') return fail_head(*p == '\r' ? ParseError::kBareCr : ParseError::kInvalidTarget);
  h.target = std::string_view(target, static_cast<std::size_t>(p - target));

  const std::string_view version(p + 1, static_cast<std::size_t>(line_end - (p + 1)));
  if (version.size() != 8) {
    // `GET /a b HTTP/1.1` is a space in the target, not a bad version.
    const std::size_t last_sp = version.rfind(' ');
    if (last_sp != std::string_view::npos && version.size() - last_sp - 1 == 8 &&
        version.substr(last_sp + 1, 5) == "HTTP/") {
      return fail_head(ParseError::kInvalidTarget);
    }
  }
  const VersionVerdict v = parse_version(version);
  if (v.error != ParseError::kNone) return fail_head(v.error);
  h.version = v.version;
  h.request_line = std::string_view(line, static_cast<std::size_t>(line_end - line));

  const TargetVerdict t = classify_target(h.target, h.method);
  if (t.error != ParseError::kNone) return fail_head(t.error);
  h.target_form = t.form;

  detail::FieldSummary s;
  const detail::FieldsResult fields = detail::parse_fields(line_end + 2, end, headers_, s);
  if (fields.error != ParseError::kNone || fields.head_end == nullptr) return fields;

  const bool http11 = h.version == Version::kHttp11;
  if (s.has_transfer_encoding) {
    if (s.has_content_length) return fail_head(ParseError::kContentLengthWithTransferEncoding);
    if (!http11) return fail_head(ParseError::kTransferEncodingOnHttp10);
    if (const ParseError e = detail::transfer_encoding_error(s); e != ParseError::kNone) {
      return fail_head(e);
    }
    h.framing = BodyFraming::kChunked;
  } else if (s.has_content_length) {
    h.framing = BodyFraming::kContentLength;
    h.content_length = s.content_length;
  }
  if (http11 && !s.has_host) return fail_head(ParseError::kMissingHost);

  h.host =
      t.form == TargetForm::kAbsolute || t.form == TargetForm::kAuthority ? t.authority : s.host;
  if (h.host.empty()) h.host = s.host;
  h.keep_alive = !s.conn_close && (http11 || s.conn_keep_alive);
  h.expect_continue = http11 && s.expect_continue;
  h.upgrade = http11 && s.has_upgrade && s.conn_upgrade;
  if (h.upgrade) h.upgrade_protocol = s.upgrade;
  std::span<Header> headers(headers_.data(), s.count);
  h.has_connection_options = s.conn_other && detail::mark_connection_options(headers);
  h.headers = headers;
  h.head_size = static_cast<std::size_t>(fields.head_end - line);
  return fields;
}

}  // namespace flotilla::http
