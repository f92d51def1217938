#include "gateway/static_files/static_path.hpp"

#include <algorithm>

namespace flotilla::gateway::files {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX once into `out`; false on a malformed escape, NUL, a backslash or an encoded '/'.
bool decode_once(std::string_view raw, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return false;
      const int high = hex_value(raw[i + 1]);
      const int low = hex_value(raw[i + 2]);
      if (high < 0 || low < 0) return false;
      c = static_cast<char>(high * 16 + low);
      if (c == '/') return false;  // "%2F": a name with a slash in it, or a way round checks
      i += 2;
    }
    if (c == '\0' || c == '\\') return false;
    out += c;
  }
  return true;
}

}  // namespace

bool valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t extra = 0;
    std::uint32_t code = 0;
    std::uint32_t minimum = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
      minimum = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
      minimum = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
      minimum = 0x10000;
    } else {
      return false;  // a continuation byte first, or 0xF8..0xFF
    }
    if (static_cast<std::size_t>(end - p) <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((p[k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[k] & 0x3F);
    }
    // Overlong forms (0xC0 0xAE for '.') are how "%c0%ae%c0%ae" sneaks dots past a filter.
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

StaticPath resolve_static_path(std::string_view raw, std::string_view prefix, bool show_hidden,
                               std::string& scratch) {
  StaticPath out;
  if (raw.empty() || raw.front() != '/' || raw.size() > kMaxStaticPath) {
    out.verdict = PathVerdict::kBadRequest;
    return out;
  }
  // Most paths have no escape: judged in place, without a copy.
  std::string copy;
  std::string_view decoded = raw;
  if (raw.find('%') != std::string_view::npos) {
    copy.reserve(raw.size());
    if (!decode_once(raw, copy)) {
      out.verdict = PathVerdict::kBadRequest;
      return out;
    }
    decoded = copy;
  } else if (std::any_of(raw.begin(), raw.end(), [](char c) { return c == '\\' || c == '\0'; })) {
    // (Not find_first_of: libstdc++'s calls memchr over the set once per character.)
    out.verdict = PathVerdict::kBadRequest;
    return out;
  }
  if (!valid_utf8(decoded)) {
    out.verdict = PathVerdict::kBadRequest;
    return out;
  }
  // Segments: empty ones ("//") merge, `.` and `..` are refused.
  scratch.clear();
  std::string& normal = scratch;
  normal.reserve(decoded.size());
  std::size_t start = 1;
  while (start <= decoded.size()) {
    std::size_t end = decoded.find('/', start);
    if (end == std::string_view::npos) end = decoded.size();
    const std::string_view segment(decoded.data() + start, end - start);
    start = end + 1;
    if (segment.empty()) continue;
    if (segment == "." || segment == "..") {
      out.verdict = PathVerdict::kBadRequest;
      return out;
    }
    normal += '/';
    normal += segment;
  }
  out.trailing_slash = decoded.size() > 1 && decoded.back() == '/';
  if (normal.empty()) out.trailing_slash = true;  // "/" itself

  // The route's prefix, compared on the same normal form ("/static/" takes "/static/x" and
  // "/static"; "/static" also takes "/static.css", which is then the file "static.css"'s sibling
  // name: only what follows the prefix counts).
  std::string_view rest = normal;
  std::string_view want = prefix;
  while (want.size() > 1 && want.back() == '/') want.remove_suffix(1);
  if (want == "/") want = {};
  if (!rest.starts_with(want)) return out;
  rest.remove_prefix(want.size());
  if (!rest.empty() && rest.front() != '/') {
    if (!want.empty() && want.back() != '/') return out;  // "/static" must not take "/statics"
  }
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (!show_hidden) {
    std::size_t at = 0;
    while (at < rest.size()) {
      if (rest[at] == '.') return out;
      const std::size_t slash = rest.find('/', at);
      if (slash == std::string_view::npos) break;
      at = slash + 1;
    }
  }
  out.verdict = PathVerdict::kFile;
  out.relative = rest;
  return out;
}

}  // namespace flotilla::gateway::files
