// Endpoints whose bodies may be gigabytes: /api/bytes and the streaming /api/echo. Constant
// memory: bodies move through in pieces of at most 64 KiB, each write awaited (back-pressure).
// Must never buffer a whole body.
#include <array>
#include <string>

#include <fmt/format.h>

#include "demo/demo_handlers.hpp"
#include "demo/json_response.hpp"

namespace flotilla::demo {
namespace {

constexpr std::size_t kPieceSize = 64 * 1024;
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 40;  // 1 TiB: "several GiB" with room
constexpr std::size_t kAlphabet = 26;

// Byte i of every /api/bytes body is 'a' + i % 26, so a test can check content, not just length.
// The table has one alphabet of slack so that any piece can start at any phase of the pattern.
const std::array<char, kPieceSize + kAlphabet>& pattern() {
  static const auto table = [] {
    std::array<char, kPieceSize + kAlphabet> t{};
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<char>('a' + i % kAlphabet);
    return t;
  }();
  return table;
}

bool flag_param(std::string_view query, std::string_view name) {
  const auto value = query_value(query, name);
  return value && (value->empty() || *value == "1" || *value == "true");
}

}  // namespace

asio::awaitable<void> handle_bytes(Exchange& exchange) {
  const std::string_view query = exchange.target().query;
  const auto n = uint_param(query, "n", 0, kMaxBytes);
  if (!n) {
    co_await exchange.reply(json_error(400, "n must be a byte count up to 2^40"));
    co_return;
  }
  // HTTP/1.0 has no chunked coding: such a client gets the Content-Length form.
  const bool chunked = flag_param(query, "chunked") && exchange.can_chunk();
  const bool head_sent = co_await exchange.begin(
      200, chunked ? ResponseFraming::kChunked : ResponseFraming::kContentLength, *n,
      "application/octet-stream");
  if (!head_sent || exchange.head_only()) co_return;
  const auto& table = pattern();
  for (std::uint64_t sent = 0; sent < *n;) {
    const std::size_t size =
        static_cast<std::size_t>(std::min<std::uint64_t>(kPieceSize, *n - sent));
    const std::string_view piece(table.data() + sent % kAlphabet, size);
    const bool written = co_await exchange.write_body(piece);
    if (!written) co_return;
    sent += size;
  }
  co_await exchange.end();
}

asio::awaitable<void> handle_echo_body(Exchange& exchange) {
  const Request& request = exchange.request();
  // Read first: a client waiting on `Expect: 100-continue` must get the 100 before the 200.
  BodyPiece piece = co_await exchange.read_body();
  if (piece.failed) {
    co_await exchange.reply(json_error(400, "malformed or truncated request body"));
    co_return;
  }
  const bool chunked = request.framing == http::BodyFraming::kChunked;
  const std::string length = std::to_string(request.content_length);
  std::string_view content_type = request.field("Content-Type");
  if (content_type.empty()) content_type = "application/octet-stream";
  std::array<FieldView, 2> fields{{{"X-Echo-Method", request.method_text}, {}}};
  // A chunked body's length is known only at its end: it goes in a trailer field.
  fields[1] = chunked ? FieldView{"Trailer", "X-Echo-Bytes"} : FieldView{"X-Echo-Bytes", length};
  const bool head_sent = co_await exchange.begin(
      200, chunked ? ResponseFraming::kChunked : ResponseFraming::kContentLength,
      request.content_length, content_type, fields);
  if (!head_sent) co_return;
  std::uint64_t echoed = 0;
  for (;;) {
    const bool written = co_await exchange.write_body(piece.data);
    if (!written) co_return;
    echoed += piece.data.size();
    if (piece.done) break;
    piece = co_await exchange.read_body();
    // The head is out: all that is left is to close, which the client sees as a truncated body.
    if (piece.failed) co_return;
  }
  co_await exchange.end(fmt::format("X-Echo-Bytes: {}\r\n", echoed));
}

}  // namespace flotilla::demo
