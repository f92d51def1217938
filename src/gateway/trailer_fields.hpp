// Which trailer fields flotilla passes on, whichever codec carries them (RFC 9110 §6.5.1): never
// framing, routing, request modifiers, authentication, response control, content description or
// connection-specific fields, and only well-formed lines. Pure, header-only; never allocates
// except into the caller's string.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "http/char_class.hpp"

namespace flotilla::gateway {

// Whether a trailer field may be passed on: an allowed name, a token, and no CR, LF or NUL in
// the value.
inline bool trailer_allowed(std::string_view name, std::string_view value) noexcept {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!http::detail::is_token_char(c)) return false;
  }
  for (const char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  // RFC 9110 §6.5.1: framing, routing, request modifiers, authentication, response control and
  // content description are never trailers; connection-specific fields are hop-by-hop.
  static constexpr std::string_view kRefused[] = {"content-length",
                                                  "transfer-encoding",
                                                  "te",
                                                  "trailer",
                                                  "host",
                                                  "connection",
                                                  "keep-alive",
                                                  "proxy-connection",
                                                  "upgrade",
                                                  "expect",
                                                  "max-forwards",
                                                  "range",
                                                  "if-match",
                                                  "if-none-match",
                                                  "if-modified-since",
                                                  "if-unmodified-since",
                                                  "if-range",
                                                  "authorization",
                                                  "proxy-authorization",
                                                  "www-authenticate",
                                                  "proxy-authenticate",
                                                  "cookie",
                                                  "set-cookie",
                                                  "cache-control",
                                                  "age",
                                                  "expires",
                                                  "date",
                                                  "location",
                                                  "retry-after",
                                                  "vary",
                                                  "warning",
                                                  "content-encoding",
                                                  "content-type",
                                                  "content-range",
                                                  "http2-settings"};
  for (const std::string_view refused : kRefused) {
    if (http::detail::iequals(name, refused)) return false;
  }
  return name.front() != ':';
}

inline bool append_trailer(std::string& lines, std::string_view name, std::string_view value,
                           std::size_t limit) {
  if (!trailer_allowed(name, value)) return false;
  if (lines.size() + name.size() + value.size() + 4 > limit) return false;
  lines.append(name);
  lines.append(": ");
  lines.append(value);
  lines.append("\r\n");
  return true;
}

// Keeps, in place, the lines of `lines[0, size)` (`Name: value\r\n` each, as the chunked decoder
// kept them) that trailer_allowed; returns the size of what is kept.
inline std::size_t keep_allowed_trailers(char* lines, std::size_t size) noexcept {
  std::size_t kept = 0;
  std::size_t at = 0;
  while (at < size) {
    const std::string_view rest(lines + at, size - at);
    const std::size_t end = rest.find("\r\n");
    if (end == std::string_view::npos) break;
    const std::string_view line = rest.substr(0, end);
    at += end + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    if (!trailer_allowed(line.substr(0, colon), value)) continue;
    std::memmove(lines + kept, line.data(), line.size());
    kept += line.size();
    lines[kept++] = '\r';
    lines[kept++] = '\n';
  }
  return kept;
}

}  // namespace flotilla::gateway
