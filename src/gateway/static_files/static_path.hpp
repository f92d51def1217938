// A static route's request path → the file name under its root: percent-decoded exactly once,
// then judged. Owns the path rules (what may name a file); never touches the file system — the
// opener (open_file.hpp) keeps symlinks from leaving root.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace flotilla::gateway::files {

enum class PathVerdict : std::uint8_t {
  kFile,        // `relative` names a file or directory under root ("" = root itself)
  kBadRequest,  // a malformed escape, NUL, a backslash, `.`/`..` segments, invalid UTF-8
  kNotFound,    // outside the route's prefix, or a dotfile while hidden
};

struct StaticPath {
  PathVerdict verdict = PathVerdict::kNotFound;
  std::string_view relative;    // into the caller's scratch: no leading '/', single '/' between
  bool trailing_slash = false;  // the request named a directory ("/docs/")
};

inline constexpr std::size_t kMaxStaticPath = 4096;

// `raw` is the request target's path as sent (no query); `prefix` the route's `match.path`.
// Decoding writes into `scratch` (its capacity is reused). Refused (never resolved): `.` and
// `..` segments, before or after decoding (browsers and curl remove them before sending, so only
// a hostile client sends them), `%2F` (a slash that was not one), a decoded `%` that would need a
// second decode is kept literally (a name such as "%2e" is just a name).
StaticPath resolve_static_path(std::string_view raw, std::string_view prefix, bool show_hidden,
                               std::string& scratch);

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view text) noexcept;

}  // namespace flotilla::gateway::files
