#include "gateway/h2/header_map.hpp"

#include <algorithm>
#include <cstring>

#include "gateway/pipeline/header_edits.hpp"
#include "http/ascii.hpp"
#include "http/char_class.hpp"

namespace flotilla::gateway::h2 {
namespace {

// Room kept for the framing line and the final CRLF.
constexpr std::size_t kTailRoom = 64;

// Calls f(name, value) for each `name: value` line of CRLF-separated field lines (value OWS
// trimmed; lines without a name are skipped).
template <typename F>
void for_each_field_line(std::string_view lines, F&& f) {
  while (!lines.empty()) {
    const std::size_t end = lines.find("\r\n");
    const std::string_view line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view{} : lines.substr(end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    f(line.substr(0, colon), http::trim_ows(line.substr(colon + 1)));
  }
}

}  // namespace

RequestHeadBuilder::RequestHeadBuilder() {
  method_.reserve(16);
  path_.reserve(256);
  authority_.reserve(64);
  cookie_.reserve(256);
}

void RequestHeadBuilder::start(char* buffer, std::size_t capacity) noexcept {
  buffer_ = buffer;
  capacity_ = capacity;
  size_ = 0;
  field_bytes_ = 0;
  method_.clear();
  path_.clear();
  authority_.clear();
  protocol_.clear();
  cookie_.clear();
  line_written_ = false;
  has_host_ = false;
  content_length_ = false;
  websocket_version_ = false;
  too_large_ = false;
}

bool RequestHeadBuilder::websocket() const noexcept {
  return http::detail::iequals(protocol_, "websocket");
}

void RequestHeadBuilder::append(std::string_view text) noexcept {
  if (too_large_ || size_ + text.size() + kTailRoom > capacity_) {
    too_large_ = true;
    return;
  }
  std::memcpy(buffer_ + size_, text.data(), text.size());
  size_ += text.size();
}

void RequestHeadBuilder::start_line() noexcept {
  if (line_written_) return;
  line_written_ = true;
  // An extended CONNECT asks for a tunnel to the resource at :path (RFC 8441 §4): the HTTP/1.1
  // upstream gets the GET of an upgrade.
  append(extended_connect() ? std::string_view("GET") : std::string_view(method_));
  append(" ");
  // CONNECT's target is the authority (RFC 9113 §8.5); nghttp2 has checked the pseudo-headers.
  const bool plain_connect = method_ == "CONNECT" && !extended_connect();
  append(plain_connect ? std::string_view(authority_) : std::string_view(path_));
  append(" HTTP/1.1\r\n");
  if (!authority_.empty()) {  // RFC 9113 §8.3.1: :authority, not Host, names the target
    append("Host: ");
    append(authority_);
    append("\r\n");
    has_host_ = true;
  }
}

void RequestHeadBuilder::add(std::string_view name, std::string_view value) {
  field_bytes_ += name.size() + value.size() + 32;
  if (!name.empty() && name.front() == ':') {
    std::string* slot = nullptr;
    if (name == ":method") slot = &method_;
    if (name == ":path") slot = &path_;
    if (name == ":authority") slot = &authority_;
    if (name == ":protocol") slot = &protocol_;
    if (slot && slot->size() + value.size() + kTailRoom <= capacity_) slot->assign(value);
    if (slot && slot->size() != value.size()) too_large_ = true;
    return;  // :scheme is the listener's own
  }
  start_line();
  if (name == "host") {
    if (has_host_) return;  // :authority wins
    has_host_ = true;
  } else if (name == "cookie") {
    // RFC 9113 §8.2.3: crumbs are joined with "; " into one field for HTTP/1.1.
    if (cookie_.size() + value.size() + 2 + kTailRoom > capacity_) {
      too_large_ = true;
      return;
    }
    if (!cookie_.empty()) cookie_ += "; ";
    cookie_ += value;
    return;
  } else if (name == "te") {
    return;  // only "trailers" gets here, and it is hop-by-hop for the HTTP/1.1 upstream
  } else if (name == "content-length") {
    if (extended_connect()) return;  // the upgrade request has no body: DATA is the tunnel's
    content_length_ = true;
  } else if (extended_connect() && name == "sec-websocket-key") {
    return;  // not used over HTTP/2 (RFC 8441 §5): the upstream gets our own
  } else if (name == "sec-websocket-version") {
    websocket_version_ = true;
  }
  append(name);
  append(": ");
  append(value);
  append("\r\n");
}

std::size_t RequestHeadBuilder::finish(bool end_stream, std::string_view websocket_key) {
  start_line();
  if (extended_connect()) {
    append("Upgrade: ");
    append(protocol_);
    append("\r\nConnection: Upgrade\r\n");
    if (websocket()) {
      append("Sec-WebSocket-Key: ");
      append(websocket_key);
      append("\r\n");
      if (!websocket_version_) append("Sec-WebSocket-Version: 13\r\n");
    }
  }
  if (!cookie_.empty()) {
    append("Cookie: ");
    append(cookie_);
    append("\r\n");
  }
  if (too_large_) return 0;
  // The framing lines fit the room append() kept.
  const auto tail = [this](std::string_view text) {
    std::memcpy(buffer_ + size_, text.data(), text.size());
    size_ += text.size();
  };
  // A body without a declared length goes upstream chunked (canonically, by the proxy).
  if (!end_stream && !content_length_ && !extended_connect()) {
    tail("Transfer-Encoding: chunked\r\n");
  }
  tail("\r\n");
  return size_;
}

ResponseFields::ResponseFields() {
  nv_.reserve(32);
  name_at_.reserve(32);
  names_.reserve(1024);
}

void ResponseFields::clear() noexcept {
  nv_.clear();
  name_at_.clear();
  names_.clear();
}

void ResponseFields::status(int status) noexcept {
  status = std::clamp(status, 100, 999);
  status_[0] = static_cast<char>('0' + status / 100);
  status_[1] = static_cast<char>('0' + status / 10 % 10);
  status_[2] = static_cast<char>('0' + status % 10);
  nghttp2_nv nv{};
  nv.name = reinterpret_cast<std::uint8_t*>(const_cast<char*>(":status"));
  nv.namelen = 7;
  nv.value = reinterpret_cast<std::uint8_t*>(status_.data());
  nv.valuelen = 3;
  nv.flags = NGHTTP2_NV_FLAG_NONE;
  nv_.push_back(nv);
  name_at_.push_back(UINT32_MAX);  // a literal, not in names_
}

void ResponseFields::add(std::string_view name, std::string_view value) {
  name_at_.push_back(static_cast<std::uint32_t>(names_.size()));
  for (const char c : name) {
    names_ += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  nghttp2_nv nv{};
  nv.namelen = name.size();
  nv.value = reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data()));
  nv.valuelen = value.size();
  nv.flags = NGHTTP2_NV_FLAG_NONE;
  nv_.push_back(nv);
}

void ResponseFields::add_lines(std::string_view lines) {
  for_each_field_line(lines,
                      [this](std::string_view name, std::string_view value) { add(name, value); });
}

void ResponseFields::drop(std::string_view lower_name) noexcept {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < nv_.size(); ++i) {
    const bool match = name_at_[i] != UINT32_MAX && nv_[i].namelen == lower_name.size() &&
                       std::string_view(names_.data() + name_at_[i], nv_[i].namelen) == lower_name;
    if (match) continue;
    nv_[kept] = nv_[i];
    name_at_[kept] = name_at_[i];
    ++kept;
  }
  nv_.resize(kept);
  name_at_.resize(kept);
}

void ResponseFields::add_trailer_lines(std::string_view lines) {
  for_each_field_line(lines, [this](std::string_view name, std::string_view value) {
    if (trailer_allowed(name, value)) add(name, value);
  });
}

std::array<char, 24> websocket_key(std::uint64_t high, std::uint64_t low) noexcept {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::array<std::uint8_t, 16> bytes{};
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<std::uint8_t>(high >> (56 - 8 * i));
    bytes[8 + i] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
  }
  std::array<char, 24> key{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < 15; i += 3) {  // five whole groups of three bytes
    const std::uint32_t group = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) key[out++] = kAlphabet[(group >> shift) & 63];
  }
  const std::uint32_t last = bytes[15] << 16;  // one byte left: two characters and "=="
  key[out++] = kAlphabet[(last >> 18) & 63];
  key[out++] = kAlphabet[(last >> 12) & 63];
  key[out++] = '=';
  key[out++] = '=';
  return key;
}

bool connection_specific(const http::Header& field) noexcept {
  using http::HeaderId;
  switch (field.id) {
    case HeaderId::kConnection:
    case HeaderId::kKeepAlive:
    case HeaderId::kProxyConnection:
    case HeaderId::kTransferEncoding:
    case HeaderId::kUpgrade:
    case HeaderId::kTe:
      return true;
    default:
      return field.connection_option;
  }
}

void ResponseFields::add_forwarded(const http::ResponseHead& head, std::uint64_t drop_ids,
                                   std::span<const std::string_view> drop_names) {
  for (const http::Header& field : head.headers) {
    if (connection_specific(field) || field.id == http::HeaderId::kContentLength) continue;
    if ((drop_ids & http::header_bit(field.id)) != 0) continue;
    const bool dropped = std::any_of(drop_names.begin(), drop_names.end(), [&](std::string_view n) {
      return same_header_name(n, field.name);
    });
    if (!dropped) add(field.name, field.value);
  }
}

std::span<const nghttp2_nv> ResponseFields::list() noexcept {
  // names_ may have moved while growing: pointers are fixed up once, here.
  for (std::size_t i = 0; i < nv_.size(); ++i) {
    if (name_at_[i] == UINT32_MAX) continue;
    nv_[i].name = reinterpret_cast<std::uint8_t*>(names_.data() + name_at_[i]);
  }
  return nv_;
}

}  // namespace flotilla::gateway::h2
