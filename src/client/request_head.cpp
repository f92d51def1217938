// The request head the client writes, refusing what would split or smuggle a message (CR, LF or
// NUL in a field, a method that is not a token), and the response's field lookup.
#include <fmt/format.h>

#include "client/exchange.hpp"

namespace flotilla::client {
namespace {

bool is_token(std::string_view text) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  if (text.empty()) return false;
  for (const char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && kSpecials.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// Visible characters, spaces and tabs only: a CR or LF would end the field early.
bool is_field_value(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
  }
  return true;
}

bool is_target(std::string_view text) {
  if (text.empty() || text.front() != '/') return false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return false;
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool has_header(const Request& request, std::string_view name) {
  for (const Header& header : request.headers) {
    if (iequals(header.name, name)) return true;
  }
  return false;
}

}  // namespace

const std::string* Response::header(std::string_view name) const {
  for (const Header& field : headers) {
    if (iequals(field.name, name)) return &field.value;
  }
  return nullptr;
}

std::string request_head(const Endpoint& endpoint, const Request& request, std::string& error) {
  if (!is_token(request.method)) {
    error = fmt::format("invalid request: method '{}' is not a token", request.method);
    return {};
  }
  if (!is_target(request.target)) {
    error = fmt::format(
        "invalid request: target '{}' must start with '/' and hold no spaces or "
        "control characters",
        request.target);
    return {};
  }
  for (const Header& header : request.headers) {
    if (!is_token(header.name) || !is_field_value(header.value)) {
      error = fmt::format("invalid request: header '{}' cannot be sent as given", header.name);
      return {};
    }
    if (iequals(header.name, "Content-Length") || iequals(header.name, "Transfer-Encoding") ||
        iequals(header.name, "Connection")) {
      error = fmt::format("invalid request: the client writes '{}' itself", header.name);
      return {};
    }
  }
  std::string head = fmt::format("{} {} HTTP/1.1\r\n", request.method, request.target);
  if (!has_header(request, "Host")) head += fmt::format("Host: {}\r\n", endpoint.authority());
  if (!has_header(request, "User-Agent")) {
    head += fmt::format("User-Agent: flotilla/{}\r\n", FLOTILLA_VERSION);
  }
  for (const Header& header : request.headers) {
    head += fmt::format("{}: {}\r\n", header.name, header.value);
  }
  head += "Connection: close\r\n";
  const bool body_expected =
      request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (!request.body.empty() || body_expected) {
    head += fmt::format("Content-Length: {}\r\n", request.body.size());
  }
  head += "\r\n";
  return head;
}

}  // namespace flotilla::client
