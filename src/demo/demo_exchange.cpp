// HTTP/1.1 exchange mechanics for the demo server: persistence (RFC 9112 §9.3), 100-continue
// (RFC 9110 §10.1.1), HEAD (§9.3.2) and chunked response framing, on top of DemoStream.
#include "demo/demo_exchange.hpp"

#include <array>
#include <vector>

#include "http/chunked_encoder.hpp"

namespace flotilla::demo {
namespace {
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

BodyPiece piece(std::string_view data, bool done, bool failed = false) {
  BodyPiece p;
  p.data = data;
  p.done = done;
  p.failed = failed;
  return p;
}
}  // namespace

Exchange::Exchange(DemoStream& stream, Request request, DemoContext& context)
    : stream_(stream),
      request_(std::move(request)),
      context_(context),
      keep_alive_(request_.keep_alive) {
  body_.start(request_.framing, request_.content_length);
}

asio::awaitable<bool> Exchange::reply(const Reply& reply) {
  const bool no_body =
      (reply.status >= 100 && reply.status < 200) || reply.status == 204 || reply.status == 304;
  std::vector<FieldView> fields;
  fields.reserve(reply.fields.size());
  for (const auto& [name, value] : reply.fields) fields.push_back({name, value});
  const std::string head = start_response(
      reply.status, no_body ? ResponseFraming::kNoBody : ResponseFraming::kContentLength,
      reply.body.size(), no_body ? std::string_view{} : reply.content_type, fields);
  if (no_body || head_only() || reply.body.empty()) co_return co_await send(head);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(reply.body)};
  co_return co_await send(buffers);
}

std::string Exchange::start_response(int status, ResponseFraming framing,
                                     std::uint64_t content_length, std::string_view content_type,
                                     std::span<const FieldView> fields) {
  // A client that sent `Expect: 100-continue` and got no 100 may or may not send its body now;
  // the only safe way on is a new connection.
  if (!body_.done() && request_.expect_continue && !continue_sent_) keep_alive_ = false;
  if (stream_.stopping()) keep_alive_ = false;
  if (framing == ResponseFraming::kChunked && !can_chunk()) keep_alive_ = false;
  const bool switching = status == 101;
  ResponseHeadSpec spec;
  spec.status = status;
  spec.framing = framing;
  spec.content_length = content_length;
  spec.content_type = content_type;
  spec.server = kServerName;
  spec.fields = fields;
  spec.keep_alive = keep_alive_ || switching;
  spec.http10_peer = request_.version == http::Version::kHttp10;
  responded_ = true;
  chunked_response_ = framing == ResponseFraming::kChunked;
  return format_response_head(spec);
}

asio::awaitable<bool> Exchange::begin(int status, ResponseFraming framing,
                                      std::uint64_t content_length, std::string_view content_type,
                                      std::span<const FieldView> fields) {
  const std::string head = start_response(status, framing, content_length, content_type, fields);
  co_return co_await send(head);
}

asio::awaitable<bool> Exchange::send(std::span<const asio::const_buffer> buffers) {
  const std::error_code ec = co_await stream_.write(buffers);
  if (ec) keep_alive_ = false;
  co_return !ec;
}

asio::awaitable<bool> Exchange::send(std::string_view bytes) {
  const asio::const_buffer buffer = asio::buffer(bytes);
  co_return co_await send(std::span<const asio::const_buffer>(&buffer, 1));
}

asio::awaitable<bool> Exchange::write_body(std::string_view piece) {
  if (head_only() || piece.empty()) co_return true;
  if (!chunked_response_) co_return co_await send(piece);
  std::array<char, http::kMaxChunkHeaderSize> size_line{};
  const std::size_t size_length = http::write_chunk_header(size_line, piece.size());
  const std::array<asio::const_buffer, 3> buffers{asio::buffer(size_line.data(), size_length),
                                                  asio::buffer(piece),
                                                  asio::buffer(http::kChunkDataEnd)};
  co_return co_await send(buffers);
}

asio::awaitable<bool> Exchange::end(std::string_view trailer_fields) {
  if (head_only() || !chunked_response_) co_return true;
  std::string last(http::kLastChunk.size() + trailer_fields.size(), '\0');
  const std::size_t size = http::write_last_chunk(last, trailer_fields);
  co_return co_await send(std::string_view(last.data(), size));
}

asio::awaitable<BodyPiece> Exchange::read_body() {
  if (body_.done()) co_return piece({}, true);
  if (request_.expect_continue && !continue_sent_ && !responded_) {
    continue_sent_ = true;
    const bool sent = co_await send(kContinue);
    if (!sent) co_return piece({}, false, true);
  }
  for (;;) {
    const std::string_view input = stream_.buffered();
    if (!input.empty()) {
      const http::BodyStep step = body_.next(input);
      if (step.failed()) {
        keep_alive_ = false;
        co_return piece({}, false, true);
      }
      stream_.consume(step.consumed);
      if (!step.data.empty() || step.done) co_return piece(step.data, step.done);
      if (step.consumed > 0) continue;
    }
    const std::error_code ec = co_await stream_.read_more();
    if (ec) {
      keep_alive_ = false;
      co_return piece({}, false, true);
    }
  }
}

asio::awaitable<bool> Exchange::discard_body() {
  while (!body_.done()) {
    const BodyPiece piece = co_await read_body();
    if (piece.failed) co_return false;
  }
  co_return true;
}

}  // namespace flotilla::demo
