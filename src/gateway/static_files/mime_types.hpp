// File name → media type for static answers: /etc/mime.types (Debian `media-types`) read once
// per process, a built-in table of the common web types when that file is missing, and
// `; charset=utf-8` on text types. Never reads a file's contents (no sniffing).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace flotilla::gateway::files {

class MimeTable {
 public:
  // A table from mime.types text ("type ext ext..." lines, '#' comments); empty text gives the
  // built-in table. Later lines win for an extension, as nginx's types block does.
  static MimeTable parse(std::string_view text);
  static MimeTable builtin();

  // The Content-Type for `file_name` (by its last extension, case-insensitive), charset
  // included; application/octet-stream when unknown.
  std::string_view content_type(std::string_view file_name) const;
  std::size_t size() const noexcept { return types_.size(); }

 private:
  void add(std::string_view type, std::string_view extension);
  std::unordered_map<std::string, std::string> types_;  // lower-case extension → Content-Type
};

// The process's table: /etc/mime.types when readable, else the built-in one (first use reads).
const MimeTable& system_mime_table();

}  // namespace flotilla::gateway::files
