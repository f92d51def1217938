#include "gateway/proxy/body_pump.hpp"

#include <array>

#include "gateway/pipeline/request_body.hpp"
#include "http/chunked_encoder.hpp"

namespace flotilla::gateway {

net::Awaitable<bool> pump_request_body(Exchange& exchange, UpstreamConnection& connection) {
  RequestBody& body = exchange.ctx.body;
  std::array<char, http::kMaxChunkHeaderSize> chunk_header;
  std::array<asio::const_buffer, 6> pieces;
  for (;;) {
    const BodyChunk chunk = co_await body.stream();
    if (chunk.error != 0) {
      exchange.pump->client_error = chunk.error;
      connection.stream().close();
      co_return false;
    }
    std::size_t count = 0;
    if (!exchange.chunked_body) {
      if (!chunk.data.empty()) pieces[count++] = asio::buffer(chunk.data);
    } else {
      if (!chunk.data.empty()) {
        const std::size_t n = http::write_chunk_header(chunk_header, chunk.data.size());
        pieces[count++] = asio::buffer(chunk_header.data(), n);
        pieces[count++] = asio::buffer(chunk.data);
        pieces[count++] = asio::buffer(http::kChunkDataEnd);
      }
      const std::string_view trailers = chunk.last ? body.trailers() : std::string_view{};
      if (chunk.last && trailers.empty()) pieces[count++] = asio::buffer(http::kLastChunk);
      if (!trailers.empty()) {  // `0\r\n`, the trailer lines, the final CRLF
        pieces[count++] = asio::buffer(http::kLastChunk.substr(0, 3));
        pieces[count++] = asio::buffer(trailers);
        pieces[count++] = asio::buffer(http::kChunkDataEnd);
      }
    }
    if (count > 0) {
      connection.watchdog().expires_after(exchange.route.timeouts.send);
      auto [ec, written] = co_await connection.stream().write(
          std::span<const asio::const_buffer>(pieces.data(), count));
      if (ec) co_return false;
    }
    if (chunk.last) co_return true;
  }
}

}  // namespace flotilla::gateway
