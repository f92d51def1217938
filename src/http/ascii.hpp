// ASCII helpers for field values that any module may use: case-insensitive comparison of
// tokens (field names, codings, media types) and trimming of optional whitespace (RFC 9110
// §5.6.3). Pure and constexpr; never allocates or depends on a locale.
#pragma once

#include <cstddef>
#include <string_view>

namespace flotilla::http {

constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Whether `a` and `b` are equal ignoring ASCII case (either side may be in any case).
constexpr bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// `s` without leading and trailing spaces and tabs.
constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace flotilla::http
