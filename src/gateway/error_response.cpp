#include "gateway/error_response.hpp"

#include "http/reason_phrase.hpp"

#include <fmt/format.h>

namespace flotilla::gateway {
namespace {

bool icontains(std::string_view haystack, std::string_view needle) noexcept {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && (haystack[i + j] | 0x20) == (needle[j] | 0x20)) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

}  // namespace

std::string_view reason_phrase(int status) noexcept {
  const std::string_view phrase = http::reason_phrase(status);
  return phrase.empty() ? std::string_view("Unknown") : phrase;
}

bool prefers_json(const http::RequestHead& head) noexcept {
  for (const http::Header& header : head.headers) {
    if (header.name.size() != 6 || !icontains(header.name, "accept")) continue;
    return icontains(header.value, "json");
  }
  return false;
}

bool prefers_json_raw(std::string_view bytes) noexcept {
  // Field lines only: from the first CRLF to the end of the head (or of what arrived).
  std::size_t line = bytes.find("\r\n");
  while (line != std::string_view::npos) {
    line += 2;
    const std::size_t end = bytes.find("\r\n", line);
    const std::string_view field =
        bytes.substr(line, end == std::string_view::npos ? std::string_view::npos : end - line);
    if (field.empty()) return false;  // the end of the head
    if (field.size() > 7 && field[6] == ':' && icontains(field.substr(0, 6), "accept")) {
      return icontains(field.substr(7), "json");
    }
    line = end;
  }
  return false;
}

void write_error_response(std::string& out, const ErrorResponse& response) {
  const std::string_view reason = reason_phrase(response.status);
  const std::string_view detail = response.detail.empty() ? reason : response.detail;
  out.clear();
  auto it = std::back_inserter(out);
  fmt::format_to(it, "HTTP/1.1 {} {}\r\nServer: flotilla\r\n", response.status, reason);
  if (!response.date.empty()) fmt::format_to(it, "Date: {}\r\n", response.date);
  if (response.retry_after_seconds > 0) {
    fmt::format_to(it, "Retry-After: {}\r\n", response.retry_after_seconds);
  }
  if (!response.request_id.empty()) fmt::format_to(it, "X-Request-Id: {}\r\n", response.request_id);
  if (response.close) out += "Connection: close\r\n";
  // The body goes to a stack buffer first so its length is known. `detail` is our own text
  // (no quotes or backslashes), so it needs no JSON escaping.
  fmt::memory_buffer body;
  if (response.json) {
    fmt::format_to(std::back_inserter(body),
                   "{{\"error\":\"{}\",\"status\":{},\"detail\":\"{}\"}}\n", reason,
                   response.status, detail);
  } else {
    fmt::format_to(std::back_inserter(body), "{}\n", detail);
  }
  fmt::format_to(it, "Content-Type: {}\r\nContent-Length: {}\r\n\r\n",
                 response.json ? "application/json" : "text/plain; charset=utf-8", body.size());
  if (!response.head_only) out.append(body.data(), body.size());
}

void write_plain_response(std::string& out, int status, std::string_view body, bool close,
                          bool head_only, std::string_view date) {
  out.clear();
  auto it = std::back_inserter(out);
  fmt::format_to(it, "HTTP/1.1 {} {}\r\nServer: flotilla\r\n", status, reason_phrase(status));
  if (!date.empty()) fmt::format_to(it, "Date: {}\r\n", date);
  fmt::format_to(it, "Content-Type: text/plain\r\nContent-Length: {}\r\n{}\r\n", body.size(),
                 close ? "Connection: close\r\n" : "");
  if (!head_only) out += body;
}

}  // namespace flotilla::gateway
