#include "gateway/pipeline/header_edits.hpp"

#include "http/header_names.hpp"

namespace flotilla::gateway {

bool same_header_name(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

void HeaderEdits::drop(std::string_view name) {
  const http::HeaderId id = http::header_id_from(name);
  if (id != http::HeaderId::kOther) {
    drop(id);
    return;
  }
  for (const std::string_view known : drop_names_) {
    if (same_header_name(known, name)) return;
  }
  drop_names_.push_back(name);
}

void HeaderEdits::add(std::string_view name, std::string_view value) {
  lines_ += name;
  lines_ += ": ";
  lines_ += value;
  lines_ += "\r\n";
}

std::string& HeaderEdits::begin_line(std::string_view name) {
  lines_ += name;
  lines_ += ": ";
  return lines_;
}

void HeaderEdits::remove(std::string_view name) {
  drop(name);
  // Lines added earlier under this name go too (rare: rules that override each other).
  std::size_t at = 0;
  while (at < lines_.size()) {
    const std::size_t end = lines_.find("\r\n", at);
    const std::size_t next = end == std::string::npos ? lines_.size() : end + 2;
    const std::size_t colon = lines_.find(':', at);
    if (colon < next && same_header_name(std::string_view(lines_).substr(at, colon - at), name)) {
      lines_.erase(at, next - at);
      continue;
    }
    at = next;
  }
}

bool HeaderEdits::added(std::string_view name) const noexcept {
  std::string_view value;
  return added_value(name, value);
}

bool HeaderEdits::added_value(std::string_view name, std::string_view& value) const noexcept {
  bool found = false;
  std::size_t at = 0;
  while (at < lines_.size()) {
    const std::size_t end = lines_.find("\r\n", at);
    const std::size_t stop = end == std::string::npos ? lines_.size() : end;
    const std::size_t next = end == std::string::npos ? lines_.size() : end + 2;
    const std::size_t colon = lines_.find(':', at);
    if (colon < next && same_header_name(std::string_view(lines_).substr(at, colon - at), name)) {
      std::string_view v = std::string_view(lines_).substr(colon + 1, stop - colon - 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      value = v;
      found = true;
    }
    at = next;
  }
  return found;
}

}  // namespace flotilla::gateway
