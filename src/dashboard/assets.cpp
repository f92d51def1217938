// The dashboard's files as served (see assets.hpp): content types, the page's {{version}}
// filled in, and a gzip copy of each made once with zlib (Chart.js shrinks to about a third).
#include "dashboard/assets.hpp"

#include <zlib.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include <fmt/format.h>

#include "dashboard/embedded_files.hpp"
#include "http/char_class.hpp"

namespace flotilla::dashboard {
namespace {

std::string gzip(std::string_view data) {
  z_stream stream{};
  // 15 + 16: a gzip wrapper (RFC 1952) rather than zlib's.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("dashboard: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("dashboard: deflate failed");
  return out;
}

// FNV-1a, 64 bits: a version tag, not a security measure.
std::uint64_t fnv1a(std::string_view data, std::uint64_t hash) {
  for (const char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

struct Stored {
  std::string name;
  std::string content_type;
  std::string body;
  std::string gzip;
  Asset asset;
};

// Built in place once: the Assets' views point into its own strings, so it never moves.
struct Table {
  Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  std::string version;
  std::array<Stored, 4> files;
};

Table::Table() {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char* name : {"index.html", "app.js", "style.css", "chart.min.js"}) {
    hash = fnv1a(embedded_file(name), hash);
  }
  version = fmt::format("{:016x}", hash).substr(0, 12);
  std::string page(embedded_file("index.html"));
  for (std::size_t at = page.find("{{version}}"); at != std::string::npos;
       at = page.find("{{version}}", at)) {
    page.replace(at, 11, version);
  }
  files[0] = {"", "text/html; charset=utf-8", std::move(page), {}, {}};
  files[1] = {
      "app.js", "text/javascript; charset=utf-8", std::string(embedded_file("app.js")), {}, {}};
  files[2] = {
      "style.css", "text/css; charset=utf-8", std::string(embedded_file("style.css")), {}, {}};
  files[3] = {"chart.min.js",
              "text/javascript; charset=utf-8",
              std::string(embedded_file("chart.min.js")),
              {},
              {}};
  for (Stored& file : files) {
    file.gzip = gzip(file.body);
    file.asset = Asset{file.name, file.content_type, file.body, file.gzip};
  }
}

const Table& table() {
  static const Table instance;
  return instance;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

const Asset* find_asset(std::string_view name) {
  for (const Stored& file : table().files) {
    if (file.name == name) return &file.asset;
  }
  return nullptr;
}

// RFC 9110 §12.5.3: "gzip" or "*", with a q above 0.
bool accepts_gzip(std::optional<std::string_view> header) {
  if (!header) return false;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const std::size_t semicolon = item.find(';');
    const std::string_view coding = trim(item.substr(0, semicolon));
    if (!http::detail::iequals(coding, "gzip") && coding != "*") continue;
    if (semicolon == std::string_view::npos) return true;
    const std::string_view q = trim(item.substr(semicolon + 1));
    if (!q.starts_with("q=")) return true;
    const std::string_view value = q.substr(2);
    return value.find_first_not_of("0.") != std::string_view::npos;  // q=0, q=0.0: refused
  }
  return false;
}

std::string_view assets_version() {
  return table().version;
}

}  // namespace flotilla::dashboard
