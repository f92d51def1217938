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

std::string_view write_error_body(std::string& out, const ErrorBody& body) {
  const std::string_view reason = reason_phrase(body.status);
  const std::string_view detail = body.detail.empty() ? reason : body.detail;
  out.clear();
  // `detail` is our own text (no quotes or backslashes), so it needs no JSON escaping.
  if (body.json) {
    fmt::format_to(std::back_inserter(out),
                   "{{\"error\":\"{}\",\"status\":{},\"detail\":\"{}\"}}\n", reason, body.status,
                   detail);
  } else {
    out += detail;
    out += '\n';
  }
  return out;
}

std::string_view no_ready_endpoint_detail(std::string_view upstream) {
  thread_local std::string detail;
  detail.clear();
  fmt::format_to(std::back_inserter(detail), "upstream '{}' has no ready endpoint", upstream);
  return detail;
}

}  // namespace flotilla::gateway
