#include "gateway/h2/h2c_upgrade.hpp"

#include <cstring>

#include "http/char_class.hpp"

namespace flotilla::gateway::h2 {
namespace {

constexpr std::string_view kSettingsName = "http2-settings";

int base64url_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

bool dropped_line(std::string_view line) noexcept {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view name = line.substr(0, colon);
  return http::detail::iequals(name, "upgrade") || http::detail::iequals(name, kSettingsName) ||
         http::detail::iequals(name, "connection");
}

}  // namespace

bool asks_for_h2c(const http::RequestHead& head) noexcept {
  return head.upgrade && http::detail::iequals(head.upgrade_protocol, "h2c");
}

bool h2c_upgradable(const http::RequestHead& head, std::string_view& settings) noexcept {
  if (!asks_for_h2c(head) || head.framing != http::BodyFraming::kNone) return false;
  if (head.method != http::Method::kGet && head.method != http::Method::kHead &&
      head.method != http::Method::kOptions) {
    return false;
  }
  int count = 0;
  for (const http::Header& field : head.headers) {
    if (http::detail::iequals(field.name, kSettingsName)) {
      settings = field.value;
      ++count;
    }
  }
  return count == 1;
}

bool decode_settings(std::string_view text, std::string& out) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  out.clear();
  std::uint32_t bits = 0;
  int held = 0;
  for (const char c : text) {
    const int v = base64url_value(c);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    held += 6;
    if (held >= 8) {
      held -= 8;
      out += static_cast<char>((bits >> held) & 0xFF);
    }
  }
  if (held >= 6) return false;  // a lone sixth of a byte: not base64
  return out.size() % 6 == 0;
}

std::size_t head_without_upgrade(std::string_view raw, char* out, std::size_t capacity) noexcept {
  std::size_t size = 0;
  bool first = true;
  while (!raw.empty()) {
    const std::size_t end = raw.find("\r\n");
    if (end == std::string_view::npos) return 0;  // not a whole head
    const std::string_view line = raw.substr(0, end + 2);
    raw.remove_prefix(end + 2);
    if (!first && dropped_line(line.substr(0, end))) continue;
    first = false;
    if (size + line.size() > capacity) return 0;
    std::memcpy(out + size, line.data(), line.size());
    size += line.size();
  }
  return size;
}

}  // namespace flotilla::gateway::h2
