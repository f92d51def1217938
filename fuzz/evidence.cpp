// Independent checks of raw HTTP bytes, used by the intended-difference predicates as evidence.
// Owns small RFC 9110/9112 readers written apart from flotilla's; must never call the codec.
#include "evidence.hpp"

#include <cstdint>

namespace flotilla::fuzz::evidence {
namespace {

constexpr char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }
bool is_ctl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
}

// The result of reading one piece of a chunked body.
enum class Step : unsigned char { kOk, kViolation, kOutOfInput };

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string
Step read_extensions(std::string_view line) {
  std::size_t i = 0;
  auto skip_bws = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  };
  auto token = [&] {
    const std::size_t from = i;
    while (i < line.size() && is_tchar(line[i])) ++i;
    return i > from;
  };
  for (;;) {
    skip_bws();
    if (i == line.size()) return Step::kOk;
    if (line[i++] != ';') return Step::kViolation;
    skip_bws();
    if (!token()) return Step::kViolation;
    skip_bws();
    if (i == line.size() || line[i] != '=') continue;
    ++i;
    skip_bws();
    if (i < line.size() && line[i] == '"') {
      for (++i;; ++i) {
        if (i == line.size()) return Step::kViolation;
        if (line[i] == '"') break;
        if (line[i] == '\\') ++i;
        if (i == line.size() || (is_ctl(line[i]) && line[i] != '\t')) return Step::kViolation;
      }
      ++i;
    } else if (!token()) {
      return Step::kViolation;
    }
  }
}

// Reads up to CRLF; a bare CR or LF inside is a violation.
Step read_line(std::string_view body, std::size_t& pos, std::string_view& line) {
  const std::size_t lf = body.find('\n', pos);
  const std::size_t cr = body.find('\r', pos);
  if (cr != std::string_view::npos && (lf == std::string_view::npos || cr < lf)) {
    if (cr + 1 == body.size()) return Step::kOutOfInput;
    if (body[cr + 1] != '\n') return Step::kViolation;
    line = body.substr(pos, cr - pos);
    pos = cr + 2;
    return Step::kOk;
  }
  return lf == std::string_view::npos ? Step::kOutOfInput : Step::kViolation;
}

Step read_trailers(std::string_view body, std::size_t pos) {
  for (;;) {
    std::string_view line;
    if (const Step s = read_line(body, pos, line); s != Step::kOk) return s;
    if (line.empty()) return Step::kOk;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
      return Step::kViolation;
    }
    for (const char c : line.substr(colon + 1)) {
      if (is_ctl(c) && c != '\t') return Step::kViolation;
    }
  }
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_tchar(char c) {
  const bool alnum = (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'z');
  return alnum || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

std::size_t count_headers(const MessageFraming& m, std::string_view name) {
  std::size_t n = 0;
  for (const auto& h : m.headers) n += iequals(h.first, name) ? 1 : 0;
  return n;
}

bool has_bare_lf(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) return true;
  }
  return false;
}

bool has_bare_cr(std::string_view bytes) {
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
    if (bytes[i] == '\r' && bytes[i + 1] != '\n') return true;
  }
  return false;
}

bool has_obs_fold(std::string_view head) {
  const std::size_t end = head.find("\r\n\r\n");
  if (end != std::string_view::npos) head = head.substr(0, end + 2);
  for (std::size_t lf = head.find('\n'); lf != std::string_view::npos && lf + 1 < head.size();
       lf = head.find('\n', lf + 1)) {
    if (head[lf + 1] == ' ' || head[lf + 1] == '\t') return true;
  }
  return false;
}

bool first_line_has_ctl(std::string_view bytes) {
  for (const char c : bytes.substr(0, bytes.find("\r\n"))) {
    if (is_ctl(c) && c != '\t') return true;
  }
  return false;
}

bool chunked_body_violates_rfc(std::string_view body) {
  std::size_t pos = 0;
  for (;;) {
    std::string_view line;
    if (const Step s = read_line(body, pos, line); s != Step::kOk) return s == Step::kViolation;
    std::size_t digits = 0;
    std::uint64_t size = 0;
    while (digits < line.size() && is_hex(line[digits])) {
      if (size >= (std::uint64_t{1} << 59)) return true;  // one more digit passes 2^63-1
      const char c = lower(line[digits]);
      size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
      ++digits;
    }
    if (digits == 0 || size > (std::uint64_t{1} << 63) - 1) return true;
    if (read_extensions(line.substr(digits)) == Step::kViolation) return true;
    if (size == 0) return read_trailers(body, pos) == Step::kViolation;
    if (body.size() - pos < size + 2) return false;  // data or its CRLF still to come
    pos += static_cast<std::size_t>(size);
    if (body.substr(pos, 2) != "\r\n") return true;
    pos += 2;
  }
}

}  // namespace flotilla::fuzz::evidence
