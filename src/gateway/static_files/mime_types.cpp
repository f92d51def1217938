#include "gateway/static_files/mime_types.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace flotilla::gateway::files {
namespace {

constexpr std::string_view kDefaultType = "application/octet-stream";

// The common web types, for a system without /etc/mime.types (a slim container).
constexpr std::string_view kBuiltin =
    "text/html html htm\n"
    "text/css css\n"
    "text/javascript js mjs\n"
    "text/plain txt text log\n"
    "text/csv csv\n"
    "text/markdown md\n"
    "text/xml xml\n"
    "text/event-stream\n"
    "application/json json map\n"
    "application/manifest+json webmanifest\n"
    "application/wasm wasm\n"
    "application/pdf pdf\n"
    "application/zip zip\n"
    "application/gzip gz\n"
    "application/zstd zst\n"
    "image/png png\n"
    "image/jpeg jpg jpeg\n"
    "image/gif gif\n"
    "image/webp webp\n"
    "image/avif avif\n"
    "image/svg+xml svg svgz\n"
    "image/vnd.microsoft.icon ico\n"
    "font/woff woff\n"
    "font/woff2 woff2\n"
    "font/ttf ttf\n"
    "font/otf otf\n"
    "audio/mpeg mp3\n"
    "audio/ogg ogg\n"
    "video/mp4 mp4\n"
    "video/webm webm\n";

// Text a browser decodes with a charset: text/* and the structured-text application types.
bool wants_charset(std::string_view type) {
  return type.starts_with("text/") || type == "application/javascript" ||
         type == "application/json" || type == "application/xml" ||
         type == "application/manifest+json" || type == "image/svg+xml";
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

void MimeTable::add(std::string_view type, std::string_view extension) {
  std::string value(type);
  if (wants_charset(type)) value += "; charset=utf-8";
  types_[lower(extension)] = std::move(value);
}

MimeTable MimeTable::parse(std::string_view text) {
  if (text.empty()) text = kBuiltin;
  MimeTable table;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    std::string_view type;
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      const std::size_t word = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      if (i == word) break;
      const std::string_view token = line.substr(word, i - word);
      if (type.empty()) {
        if (token.find('/') == std::string_view::npos) break;  // not a type line
        type = token;
      } else {
        table.add(type, token);
      }
    }
  }
  return table;
}

MimeTable MimeTable::builtin() {
  return parse({});
}

std::string_view MimeTable::content_type(std::string_view file_name) const {
  const std::size_t slash = file_name.rfind('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 == file_name.size()) return kDefaultType;
  const std::string_view extension = file_name.substr(dot + 1);
  char key[32];
  if (extension.size() > sizeof key) return kDefaultType;
  for (std::size_t i = 0; i < extension.size(); ++i) {
    key[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(extension[i])));
  }
  // Heterogeneous lookup would need a transparent hash; a short std::string stays in SSO.
  const auto found = types_.find(std::string(key, extension.size()));
  return found == types_.end() ? kDefaultType : std::string_view(found->second);
}

const MimeTable& system_mime_table() {
  static const MimeTable table = [] {
    std::ifstream in("/etc/mime.types");
    if (!in) return MimeTable::builtin();
    std::stringstream text;
    text << in.rdbuf();
    MimeTable parsed = MimeTable::parse(text.str());
    return parsed.size() > 0 ? std::move(parsed) : MimeTable::builtin();
  }();
  return table;
}

}  // namespace flotilla::gateway::files
