// Field-line parsing (RFC 9112 §5) and the framing/persistence fields (RFC 9112 §6, §9).
// Must never accept what two HTTP implementations could read differently (request smuggling).
#include "http/field_parser.hpp"

#include <limits>

#include "http/char_class.hpp"
#include "http/header_names.hpp"

namespace flotilla::http::detail {
namespace {

constexpr std::uint64_t kMaxContentLength = std::numeric_limits<std::int64_t>::max();

// RFC 9110 §8.6: 1*DIGIT; a list of identical values (`5, 5`) may be accepted as one.
ParseError parse_content_length(std::string_view value, FieldSummary& s) noexcept {
  while (true) {
    const std::size_t comma = value.find(',');
    const std::string_view element = trim_ows(value.substr(0, comma));
    if (element.empty()) return ParseError::kInvalidContentLength;
    std::uint64_t n = 0;
    for (const char c : element) {
      if (c < '0' || c > '9') return ParseError::kInvalidContentLength;
      const auto digit = static_cast<std::uint64_t>(c - '0');
      if (n > (kMaxContentLength - digit) / 10) return ParseError::kInvalidContentLength;
      n = n * 10 + digit;
    }
    if (s.has_content_length && n != s.content_length) {
      return ParseError::kConflictingContentLength;
    }
    s.has_content_length = true;
    s.content_length = n;
    if (comma == std::string_view::npos) return ParseError::kNone;
    value.remove_prefix(comma + 1);
  }
}

void add_transfer_codings(std::string_view value, FieldSummary& s) noexcept {
  s.has_transfer_encoding = true;
  for_each_list_element(value, [&s](std::string_view coding) {
    if (s.te_chunked) s.te_misplaced = true;
    if (iequals(coding, "chunked")) {
      s.te_chunked = true;
    } else {
      s.te_other = true;
    }
    return true;
  });
}

ParseError add_connection_options(std::string_view value, FieldSummary& s) noexcept {
  const bool ok = for_each_list_element(value, [&s](std::string_view option) {
    if (!is_token(option)) return false;
    if (iequals(option, "close")) {
      s.conn_close = true;
    } else if (iequals(option, "keep-alive")) {
      s.conn_keep_alive = true;
    } else if (iequals(option, "upgrade")) {
      s.conn_upgrade = true;
    } else {
      s.conn_other = true;
    }
    return true;
  });
  return ok ? ParseError::kNone : ParseError::kInvalidConnection;
}

ParseError check_host(std::string_view value) noexcept {
  for (const char c : value) {
    if (!has_class(c, kHostChar)) return ParseError::kInvalidHost;
  }
  return ParseError::kNone;
}

// The name stopped at a byte that is neither a token char nor a colon: say why.
ParseError bad_name_end(const char* p, const char* name_begin, const char* end) noexcept {
  if (is_ows(*p)) {
    while (p != end && is_ows(*p)) ++p;
    return (p != end && *p == ':' && p != name_begin) ? ParseError::kWhitespaceBeforeColon
                                                      : ParseError::kInvalidHeaderName;
  }
  if (*p == '\r' && end - p >= 2 && p[1] != '\n') return ParseError::kBareCr;
  return ParseError::kInvalidHeaderName;
}

ParseError apply_field(const Header& h, FieldSummary& s) noexcept {
  switch (h.id) {
    case HeaderId::kHost:
      if (!s.is_request) return ParseError::kNone;
      if (s.has_host) return ParseError::kDuplicateHost;
      s.has_host = true;
      s.host = h.value;
      return check_host(h.value);
    case HeaderId::kContentLength:
      return parse_content_length(h.value, s);
    case HeaderId::kTransferEncoding:
      add_transfer_codings(h.value, s);
      return ParseError::kNone;
    case HeaderId::kConnection:
      return add_connection_options(h.value, s);
    case HeaderId::kUpgrade:
      // An empty list proposes no protocol (RFC 9110 §7.8: `Upgrade: #protocol`): no upgrade,
      // as llhttp reads it too, so both frame what follows as the next request.
      if (h.value.empty()) return ParseError::kNone;
      if (!s.has_upgrade) s.upgrade = h.value;
      s.has_upgrade = true;
      return ParseError::kNone;
    case HeaderId::kExpect:
      if (iequals(h.value, "100-continue")) s.expect_continue = true;
      return ParseError::kNone;
    default:
      return ParseError::kNone;
  }
}

}  // namespace

FieldsResult parse_fields(const char* p, const char* end, std::span<Header> out,
                          FieldSummary& s) noexcept {
  auto error = [](ParseError e) { return FieldsResult{e, nullptr, nullptr}; };
  while (true) {
    const FieldsResult incomplete{ParseError::kNone, nullptr, p};
    if (p == end) return incomplete;
    if (*p == '\r') {
      if (end - p < 2) return incomplete;
      return p[1] == '\n' ? FieldsResult{ParseError::kNone, p + 2, nullptr}
                          : error(ParseError::kBareCr);
    }
    if (is_ows(*p)) return error(ParseError::kObsFold);

    const char* name_begin = p;
    // Four bytes per step, tested without branches (names average ~12 bytes): measured ~15%
    // faster per head than one byte per step.
    while (end - p >= 4 && (kCharClass[static_cast<unsigned char>(p[0])] &
                            kCharClass[static_cast<unsigned char>(p[1])] &
                            kCharClass[static_cast<unsigned char>(p[2])] &
                            kCharClass[static_cast<unsigned char>(p[3])] & kToken) != 0) {
      p += 4;
    }
    while (p != end && is_token_char(*p)) ++p;
    if (p == end) return incomplete;
    if (*p != ':') return error(bad_name_end(p, name_begin, end));
    if (p == name_begin) return error(ParseError::kEmptyHeaderName);
    const std::string_view name(name_begin, static_cast<std::size_t>(p - name_begin));

    ++p;
    while (p != end && is_ows(*p)) ++p;
    const char* value_begin = p;
    p = skip_field_text(p, end);
    // A complete head always has the final CRLF after a value's CRLF, so this is only reached
    // on the optimistic pass over a partial head.
    if (end - p < 2) return incomplete;
    if (*p != '\r') return error(ParseError::kInvalidHeaderValue);
    if (p[1] != '\n') return error(ParseError::kBareCr);
    const char* value_end = p;
    while (value_end > value_begin && is_ows(value_end[-1])) --value_end;
    p += 2;

    if (s.count == out.size()) return error(ParseError::kTooManyHeaders);
    Header& h = out[s.count++];
    h.name = name;
    h.value = std::string_view(value_begin, static_cast<std::size_t>(value_end - value_begin));
    h.line_size = static_cast<std::uint32_t>(p - name_begin);
    h.id = header_id_from(name);
    h.connection_option = false;
    if (const ParseError e = apply_field(h, s); e != ParseError::kNone) return error(e);
  }
}

ParseError transfer_encoding_error(const FieldSummary& s) noexcept {
  if (!s.has_transfer_encoding) return ParseError::kNone;
  // §6.3: chunked not final means the length cannot be determined: 400, before §6.1's 501.
  if (!s.te_chunked || s.te_misplaced) return ParseError::kInvalidTransferEncoding;
  if (s.te_other) return ParseError::kUnsupportedTransferCoding;
  return ParseError::kNone;
}

bool mark_connection_options(std::span<Header> headers) noexcept {
  bool marked = false;
  for (const Header& connection : headers) {
    if (connection.id != HeaderId::kConnection) continue;
    for_each_list_element(connection.value, [&](std::string_view option) {
      if (iequals(option, "close") || iequals(option, "keep-alive") || iequals(option, "upgrade")) {
        return true;  // handled through HeaderId by the head writer
      }
      for (Header& h : headers) {
        // Never let a Connection option remove the fields that frame or route the message.
        if (h.id == HeaderId::kHost || h.id == HeaderId::kContentLength ||
            h.id == HeaderId::kTransferEncoding) {
          continue;
        }
        if (h.name.size() == option.size() && !h.connection_option) {
          bool same = true;
          for (std::size_t i = 0; i < option.size() && same; ++i) {
            same = to_lower(h.name[i]) == to_lower(option[i]);
          }
          if (same) {
            h.connection_option = true;
            marked = true;
          }
        }
      }
      return true;
    });
  }
  return marked;
}

}  // namespace flotilla::http::detail
