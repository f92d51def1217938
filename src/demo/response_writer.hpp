// Formats a response head (status line, framing, Connection, Server, Date, extra fields) and
// writes a small head + body with one gather write. Free functions reusable by the gateway's own
// answers (errors, health); must never decide routing, keep-alive policy or read from a socket.
#pragma once

#include "http/reason_phrase.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>

namespace flotilla::demo {

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

// Reason phrase for the common codes, "" for the others (RFC 9112 §4 allows an empty one).
using http::reason_phrase;  // RFC 9110 phrases, shared with the gateway

// IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`; locale-independent.
std::string http_date(std::chrono::system_clock::time_point when);

// `HTTP/1.1 <status> <reason>` ... through the empty line ending the head.
std::string format_response_head(const ResponseHeadSpec& spec);

// Head and body in one gather write (writev): no copy of the body into the head's buffer.
template <typename AsyncWriteStream>
asio::awaitable<std::error_code> async_write_response(AsyncWriteStream& stream,
                                                      std::string_view head,
                                                      std::string_view body) {
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  auto [ec, written] = co_await asio::async_write(
      stream, buffers, asio::experimental::as_tuple(asio::use_awaitable));
  (void)written;
  co_return ec;
}

}  // namespace flotilla::demo
