// The dashboard's files, embedded into the binary at build time (the page, its script and
// style, and Debian's Chart.js): served from the admin listener with no external asset, so the
// page works offline. Read-only data plus a gzip copy made once; never touches a socket.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flotilla::dashboard {

struct Asset {
  std::string_view name;          // "app.js": the path under /dashboard/, "" for the page
  std::string_view content_type;  // with charset for text
  std::string_view body;          // as embedded (the page with its {{version}} filled in)
  std::string_view gzip;          // `body` gzip-compressed, made on first use
};

// "" (the page itself, served at /) or a file name under /dashboard/; nullptr when unknown.
const Asset* find_asset(std::string_view name);

// A short hash of every embedded file: the page links its assets as `?v=<version>` so that a
// browser may keep them for good (a new build changes the URL).
std::string_view assets_version();

// Whether a request's Accept-Encoding (nullopt: none sent) admits a gzip body.
bool accepts_gzip(std::optional<std::string_view> accept_encoding);

}  // namespace flotilla::dashboard
