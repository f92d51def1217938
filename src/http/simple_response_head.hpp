// The head of a small server's own answer (the demo app's, the admin API's): status line, framing,
// Connection, Server, Date and extra fields, formatted into one string. Off the proxy path, so it
// may allocate; must never validate field names or values (callers pass constants or values they
// produced) nor decide keep-alive policy.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http/reason_phrase.hpp"

namespace flotilla::http {

struct FieldView {
  std::string_view name;
  std::string_view value;
};

enum class ResponseFraming : std::uint8_t {
  kContentLength,  // `Content-Length: content_length`
  kChunked,        // `Transfer-Encoding: chunked` (never to an HTTP/1.0 peer)
  kNoBody,         // 1xx, 204, 304: no framing field at all (RFC 9110 §8.6, RFC 9112 §6.3)
};

struct ResponseHeadSpec {
  int status = 200;
  ResponseFraming framing = ResponseFraming::kContentLength;
  std::uint64_t content_length = 0;
  std::string_view content_type;      // omitted when empty
  std::string_view server;            // omitted when empty
  std::span<const FieldView> fields;  // written as given, each as `name: value`
  // false: `Connection: close`. true with an HTTP/1.0 peer: `Connection: keep-alive`, since 1.0
  // connections close by default (RFC 9112 §9.3).
  bool keep_alive = true;
  bool http10_peer = false;
  bool date = true;
};

// IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`; locale-independent.
std::string http_date(std::chrono::system_clock::time_point when);

// `HTTP/1.1 <status> <reason>` ... through the empty line ending the head.
std::string format_response_head(const ResponseHeadSpec& spec);

}  // namespace flotilla::http
