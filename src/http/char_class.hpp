// Byte classes of RFC 9110/9112 as 256-entry tables, plus the vectorised scans of the hot path.
// Internal to the codec; must never depend on anything but the std library and compiler intrinsics.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace flotilla::http::detail {

inline constexpr std::uint8_t kToken = 1;      // tchar (RFC 9110 §5.6.2)
inline constexpr std::uint8_t kFieldText = 2;  // HTAB / SP / VCHAR / obs-text
inline constexpr std::uint8_t kHex = 4;
inline constexpr std::uint8_t kHostChar = 8;     // uri-host [ ":" port ] characters
inline constexpr std::uint8_t kTargetChar = 16;  // anything but CTL, SP, DEL
inline constexpr std::uint8_t kSchemeChar = 32;  // ALPHA / DIGIT / "+" / "-" / "."

constexpr std::array<std::uint8_t, 256> make_char_classes() {
  std::array<std::uint8_t, 256> t{};
  auto set = [&t](std::string_view chars, std::uint8_t bit) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= bit;
  };
  for (int c = 0; c < 256; ++c) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (alpha || digit) t[c] |= kToken | kHostChar | kSchemeChar;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) t[c] |= kHex;
    if (c == '\t' || (c >= 0x20 && c != 0x7f)) t[c] |= kFieldText;
    if (c > 0x20 && c != 0x7f) t[c] |= kTargetChar;
  }
  set("!#$%&'*+-.^_`|~", kToken);
  set("-._~!$&'()*+,;=:[]%", kHostChar);
  set("+-.", kSchemeChar);
  return t;
}

inline constexpr std::array<std::uint8_t, 256> kCharClass = make_char_classes();

constexpr bool has_class(char c, std::uint8_t bit) noexcept {
  return (kCharClass[static_cast<unsigned char>(c)] & bit) != 0;
}
constexpr bool is_token_char(char c) noexcept {
  return has_class(c, kToken);
}
constexpr bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
}

// Case-insensitive comparison against a lowercase literal.
constexpr bool iequals(std::string_view s, std::string_view lower) noexcept {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (to_lower(s[i]) != lower[i]) return false;
  }
  return true;
}

constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Calls f(element) for each comma-separated element of a list value (RFC 9110 §5.6.1), OWS
// trimmed, empty elements skipped. Stops early when f returns false; returns whether it did not.
template <typename F>
constexpr bool for_each_list_element(std::string_view value, F&& f) {
  while (true) {
    const std::size_t comma = value.find(',');
    const std::string_view element = trim_ows(value.substr(0, comma));
    if (!element.empty() && !f(element)) return false;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

// First byte in [p, end) that is not field text (so CR, LF, NUL, other CTLs and DEL stop it).
inline const char* skip_field_text(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i k1f = _mm_set1_epi8(0x1f);
  const __m128i ktab = _mm_set1_epi8('\t');
  const __m128i kdel = _mm_set1_epi8(0x7f);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i bad = _mm_cmpeq_epi8(_mm_min_epu8(v, k1f), v);  // v <= 0x1f
    bad = _mm_andnot_si128(_mm_cmpeq_epi8(v, ktab), bad);
    bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, kdel));
    const int mask = _mm_movemask_epi8(bad);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && has_class(*p, kFieldText)) ++p;
  return p;
}

// First byte in [p, end) that cannot be in a request target (CTL, SP, DEL).
inline const char* skip_target(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i k20 = _mm_set1_epi8(0x20);
  const __m128i kdel = _mm_set1_epi8(0x7f);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i bad = _mm_cmpeq_epi8(_mm_min_epu8(v, k20), v);  // v <= 0x20
    bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, kdel));
    const int mask = _mm_movemask_epi8(bad);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && has_class(*p, kTargetChar)) ++p;
  return p;
}

}  // namespace flotilla::http::detail
