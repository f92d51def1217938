// Independent checks of raw HTTP bytes, used by the intended-difference predicates as evidence.
// Owns small RFC 9110/9112 readers written apart from flotilla's; must never call the codec.
#include "evidence.hpp"

#include <cstdint>

namespace flotilla::fuzz::evidence {
namespace {

constexpr char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
}
bool is_ctl(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
}

// The result of reading one piece of a chunked body.
enum class Step : unsigned char { kOk, kViolation, kOutOfInput };

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string.
// On a `partial` line (its CRLF not received yet) running out of bytes is never a violation.
Step read_extensions(std::string_view line, bool partial) {
  std::size_t i = 0;
  const Step out = partial ? Step::kOutOfInput : Step::kViolation;
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
    if (i == line.size()) return partial ? Step::kOutOfInput : Step::kOk;
    if (line[i++] != ';') return Step::kViolation;
    skip_bws();
    if (i == line.size()) return out;
    if (!token()) return Step::kViolation;
    skip_bws();
    if (i == line.size() || line[i] != '=') continue;
    ++i;
    skip_bws();
    if (i == line.size()) return out;
    if (line[i] == '"') {
      for (++i;; ++i) {
        if (i == line.size()) return out;
        if (line[i] == '"') break;
        if (line[i] == '\\' && ++i == line.size()) return out;
        if (is_ctl(line[i]) && line[i] != '\t') return Step::kViolation;
      }
      ++i;
    } else if (!token()) {
      return Step::kViolation;
    }
  }
}

// chunk-size [ chunk-ext ]: 1*HEXDIG up to 2^63-1.
Step read_size_line(std::string_view line, bool partial, std::uint64_t& size) {
  std::size_t digits = 0;
  size = 0;
  while (digits < line.size() && is_hex(line[digits])) {
    if (size >= (std::uint64_t{1} << 59)) return Step::kViolation;  // one more digit passes 2^63-1
    const char c = lower(line[digits]);
    size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    ++digits;
  }
  if (digits == 0) return partial && line.empty() ? Step::kOutOfInput : Step::kViolation;
  return read_extensions(line.substr(digits), partial);
}

// Reads up to CRLF; a bare CR or LF inside is a violation. Out of input: `line` is what there is
// (without a trailing CR), and `ended` tells whether its CR came (so its content is final).
Step read_line(std::string_view body, std::size_t& pos, std::string_view& line,
               bool* ended = nullptr) {
  const std::size_t lf = body.find('\n', pos);
  const std::size_t cr = body.find('\r', pos);
  if (ended != nullptr) *ended = false;
  if (cr != std::string_view::npos && (lf == std::string_view::npos || cr < lf)) {
    if (cr + 1 == body.size()) {
      line = body.substr(pos, cr - pos);
      if (ended != nullptr) *ended = true;
      return Step::kOutOfInput;
    }
    if (body[cr + 1] != '\n') return Step::kViolation;
    line = body.substr(pos, cr - pos);
    pos = cr + 2;
    return Step::kOk;
  }
  line = body.substr(pos);
  return lf == std::string_view::npos ? Step::kOutOfInput : Step::kViolation;
}

Step read_trailers(std::string_view body, std::size_t pos, std::string_view& trailers) {
  const std::size_t begin = pos;
  for (;;) {
    std::string_view line;
    const Step s = read_line(body, pos, line);
    if (s == Step::kViolation) return s;
    const std::size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    const bool partial = s == Step::kOutOfInput && colon == std::string_view::npos;
    if (!line.empty() && !is_token(name) && !(partial && name.empty())) return Step::kViolation;
    if (colon != std::string_view::npos) {
      for (const char c : line.substr(colon + 1)) {
        if (is_ctl(c) && c != '\t') return Step::kViolation;
      }
    }
    if (s == Step::kOutOfInput) {
      trailers = body.substr(begin);
      return s;
    }
    if (line.empty()) {
      trailers = body.substr(begin, pos - begin);
      return Step::kOk;
    }
    if (colon == std::string_view::npos) return Step::kViolation;
  }
}

// Walks a chunked body; kOk when it ended (trailers set to the trailer section). `extensions`
// tells whether some chunk-size line had anything after its digits.
Step walk_chunked(std::string_view body, std::string_view& trailers, bool* extensions = nullptr) {
  std::size_t pos = 0;
  for (;;) {
    std::string_view line;
    bool ended = false;
    const Step s = read_line(body, pos, line, &ended);
    if (s == Step::kViolation) return s;
    std::uint64_t size = 0;
    const Step l = read_size_line(line, s == Step::kOutOfInput && !ended, size);
    if (extensions != nullptr && line.find_first_of("; \t") != std::string_view::npos) {
      *extensions = true;
    }
    if (l != Step::kOk || s != Step::kOk) return l == Step::kViolation ? l : Step::kOutOfInput;
    if (size == 0) return read_trailers(body, pos, trailers);
    if (body.size() - pos < size) return Step::kOutOfInput;
    pos += static_cast<std::size_t>(size);
    const std::string_view crlf = body.substr(pos, 2);
    if (std::string_view("\r\n").substr(0, crlf.size()) != crlf) return Step::kViolation;
    if (crlf.size() < 2) return Step::kOutOfInput;
    pos += 2;
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

bool target_breaks_rfc9112(std::string_view method, std::string_view target) {
  if (target.empty()) return true;
  for (const char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return true;
  }
  auto is_host_char = [](char c) {
    const bool alnum = (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'z');
    return alnum || std::string_view("-._~!$&'()*+,;=:[]%").find(c) != std::string_view::npos;
  };
  if (target == "*") return method != "OPTIONS";
  if (method == "CONNECT") {
    const std::size_t colon = target.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == target.size()) return true;
    for (const char c : target) {
      if (!is_host_char(c)) return true;
    }
    for (const char c : target.substr(colon + 1)) {
      if (c < '0' || c > '9') return true;
    }
    return false;
  }
  if (target.front() == '/') return false;
  auto scheme_char = [](char c, bool first) {
    const bool alpha = lower(c) >= 'a' && lower(c) <= 'z';
    return alpha || (!first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
  };
  std::size_t i = 0;
  while (i < target.size() && scheme_char(target[i], i == 0)) ++i;
  if (i == 0 || i == target.size() || target[i] != ':') return true;
  std::string_view rest = target.substr(i + 1);
  if (rest.substr(0, 2) != "//") return false;
  rest.remove_prefix(2);
  for (const char c : rest.substr(0, rest.find_first_of("/?#"))) {
    if (!is_host_char(c)) return true;
  }
  return false;
}

bool status_line_breaks_rfc9112(std::string_view line) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !digit(line[5]) || line[6] != '.' ||
      !digit(line[7]) || line[8] != ' ' || !digit(line[9]) || !digit(line[10]) ||
      !digit(line[11])) {
    return true;
  }
  if (line[9] == '0' || line[9] > '5') return true;
  if (line.size() == 12) return false;
  if (line[12] != ' ') return true;
  for (const char c : line.substr(13)) {
    if (is_ctl(c) && c != '\t') return true;
  }
  return false;
}

bool chunked_body_violates_rfc(std::string_view body) {
  std::string_view trailers;
  return walk_chunked(body, trailers) == Step::kViolation;
}

bool chunked_body_valid_with_extensions(std::string_view body) {
  std::string_view trailers;
  bool extensions = false;
  return walk_chunked(body, trailers, &extensions) != Step::kViolation && extensions;
}

bool chunked_trailers_have(std::string_view body, std::string_view name) {
  std::string_view trailers;
  const Step s = walk_chunked(body, trailers);
  if (s == Step::kViolation) return false;
  // Lines whose name is complete (its colon received).
  while (!trailers.empty()) {
    const std::size_t eol = trailers.find("\r\n");
    const std::string_view line = trailers.substr(0, eol);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && iequals(line.substr(0, colon), name)) return true;
    if (eol == std::string_view::npos) break;
    trailers.remove_prefix(eol + 2);
  }
  return false;
}

}  // namespace flotilla::fuzz::evidence
