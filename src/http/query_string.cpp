// Query-string helpers: `?ms=250&x=1` style parameters, numbers validated strictly so that a
// typo in a test's URL is a 400, never a silently different value.
#include "http/query_string.hpp"

#include <charconv>

#include "http/hex_digit.hpp"

namespace flotilla::http {

TargetParts split_target(std::string_view target) noexcept {
  // A fragment is never sent by conforming clients (RFC 9112 §3.2); drop it if one slips through.
  if (const auto hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  if (!target.starts_with('/')) {
    if (const auto scheme_end = target.find("://"); scheme_end != std::string_view::npos) {
      const auto path_start = target.find_first_of("/?", scheme_end + 3);
      target =
          path_start == std::string_view::npos ? std::string_view{} : target.substr(path_start);
      if (target.empty() || target.front() == '?') {
        // No path: the origin-form equivalent is "/" (RFC 9112 §3.2.1).
        const auto question = target.find('?');
        return {"/", question == std::string_view::npos ? std::string_view{} : target.substr(1)};
      }
    }
  }
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

std::optional<std::string_view> query_value(std::string_view query,
                                            std::string_view name) noexcept {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    if (key != name) continue;
    return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_digit_value(text[i + 1]);
      const int lo = hex_digit_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return out;
}

std::optional<std::uint64_t> parse_uint(std::string_view text) noexcept {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_fraction(std::string_view text) noexcept {
  // from_chars alone would accept "inf", "nan" and exponents; only plain decimals are meant here.
  bool digit = false;
  bool dot = false;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digit) return std::nullopt;
  double value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> uint_param(std::string_view query, std::string_view name,
                                        std::uint64_t fallback, std::uint64_t max) noexcept {
  const auto text = query_value(query, name);
  if (!text) return fallback;
  const auto value = parse_uint(*text);
  if (!value || *value > max) return std::nullopt;
  return value;
}

}  // namespace flotilla::http
