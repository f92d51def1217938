// Routing-path normalisation: a fast check, then decode and resolve segments in one buffer.
#include "gateway/route_path.hpp"

#include "http/hex_digit.hpp"

namespace flotilla::gateway {
namespace {

// A `%`, a `//` or a `/.` (a `.` or `..` segment, or just a name starting with a dot).
bool may_need_normalising(std::string_view path) noexcept {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%') return true;
    if (path[i] == '/' && i + 1 < path.size() && (path[i + 1] == '/' || path[i + 1] == '.')) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view route_path(std::string_view path, std::string& scratch) {
  if (path.empty() || path.front() != '/' || !may_need_normalising(path)) return path;

  // Decode first (`%2e%2e` is `..` and `%2f` a separator, to nginx too), into scratch.
  scratch.clear();
  for (std::size_t i = 0; i < path.size(); ++i) {
    const int high =
        path[i] == '%' && i + 2 < path.size() ? http::hex_digit_value(path[i + 1]) : -1;
    const int low = high >= 0 ? http::hex_digit_value(path[i + 2]) : -1;
    if (low >= 0) {
      scratch.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      scratch.push_back(path[i]);
    }
  }

  // Then resolve segments in place: the output (`/segment` pieces, `w` long) never overtakes
  // the segment being read, which always lies after at least one `/` not copied yet.
  char* const s = scratch.data();
  const std::size_t n = scratch.size();
  std::size_t w = 0;
  std::size_t pos = 0;
  bool trailing_slash = false;
  while (pos < n) {
    while (pos < n && s[pos] == '/') ++pos;  // merge slashes
    std::size_t end = pos;
    while (end < n && s[end] != '/') ++end;
    const std::size_t length = end - pos;
    if (length == 0) break;  // only slashes were left: `trailing_slash` says whether one ends it
    const bool dot = length == 1 && s[pos] == '.';
    const bool dot_dot = length == 2 && s[pos] == '.' && s[pos + 1] == '.';
    trailing_slash = end < n || dot || dot_dot;
    if (dot_dot) {
      while (w > 0 && s[w - 1] != '/') --w;  // drop the last segment...
      if (w > 0) --w;                        // ...and its slash; above the root stays at it
    } else if (!dot) {
      s[w++] = '/';
      std::char_traits<char>::move(s + w, s + pos, length);
      w += length;
    }
    pos = end;
  }
  scratch.resize(w);
  if (trailing_slash || scratch.empty()) scratch.push_back('/');
  return scratch;
}

}  // namespace flotilla::gateway
