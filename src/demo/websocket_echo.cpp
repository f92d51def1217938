// WebSocket handshake (RFC 6455 §4.2) and echo session (§5, §6). Payloads are streamed through
// the connection's read buffer piece by piece, so memory stays constant whatever the frame size.
#include "demo/websocket_echo.hpp"

#include <array>
#include <string>

#include "demo/demo_handlers.hpp"
#include "demo/json_response.hpp"
#include "demo/websocket_accept.hpp"
#include "demo/websocket_frame.hpp"

namespace flotilla::demo {
namespace {

// Sends one unmasked frame with a small payload (control frames).
asio::awaitable<bool> send_frame(DemoStream& stream, WsOpcode opcode, std::string_view payload) {
  std::array<std::uint8_t, kWsMaxHeaderSize> header{};
  const std::size_t size = encode_frame_header(header, opcode, true, payload.size());
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(header.data(), size),
                                                  asio::buffer(payload)};
  const std::error_code ec = co_await stream.write(buffers);
  co_return !ec;
}

asio::awaitable<void> send_close(DemoStream& stream, std::uint16_t code) {
  const std::array<char, 2> payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  co_await send_frame(stream, WsOpcode::kClose, std::string_view(payload.data(), payload.size()));
}

// Reads the next frame header; nullopt when the session must end (the reason already handled).
asio::awaitable<std::optional<WsFrameHeader>> read_header(DemoStream& stream) {
  for (;;) {
    const WsDecodeResult decoded = decode_frame_header(stream.buffered(), true, kWsMaxPayload);
    if (decoded.status == WsDecodeStatus::kComplete) {
      stream.consume(decoded.header.header_size);
      co_return decoded.header;
    }
    if (decoded.status == WsDecodeStatus::kError) {
      co_await send_close(stream, decoded.close_code);
      co_return std::nullopt;
    }
    const bool idle = stream.buffered().empty();
    stream.set_idle(idle);
    const std::error_code ec = co_await stream.read_more(idle ? kIdleTimeout : kIoTimeout);
    stream.set_idle(false);
    if (ec) {
      if (stream.stopping()) co_await send_close(stream, kWsCloseGoingAway);
      co_return std::nullopt;
    }
  }
}

// Small control payload (<= 125 bytes), read whole and unmasked.
asio::awaitable<std::optional<std::string>> read_control_payload(DemoStream& stream,
                                                                 const WsFrameHeader& header) {
  while (stream.buffered().size() < header.payload_size) {
    const std::error_code ec = co_await stream.read_more();
    if (ec) co_return std::nullopt;
  }
  std::string payload(stream.buffered().substr(0, header.payload_size));
  stream.consume(header.payload_size);
  apply_mask(payload, header.mask, 0);
  co_return payload;
}

// Echoes a data frame: same header (unmasked), then the payload unmasked in place, piece by piece.
asio::awaitable<bool> echo_data_frame(DemoStream& stream, const WsFrameHeader& header) {
  std::array<std::uint8_t, kWsMaxHeaderSize> out{};
  const std::size_t size = encode_frame_header(out, header.opcode, header.fin, header.payload_size);
  const std::error_code head_ec =
      co_await stream.write(std::string_view(reinterpret_cast<const char*>(out.data()), size));
  if (head_ec) co_return false;
  for (std::uint64_t done = 0; done < header.payload_size;) {
    if (stream.buffered().empty()) {
      const std::error_code ec = co_await stream.read_more();
      if (ec) co_return false;
    }
    const std::span<char> available = stream.buffered_mutable();
    const std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>(available.size(), header.payload_size - done));
    apply_mask(available.first(n), header.mask, done);
    const std::error_code ec = co_await stream.write(std::string_view(available.data(), n));
    if (ec) co_return false;
    stream.consume(n);
    done += n;
  }
  co_return true;
}

}  // namespace

asio::awaitable<void> run_websocket_echo(DemoStream& stream) {
  bool in_message = false;  // inside a fragmented message (§5.4)
  for (;;) {
    const auto header = co_await read_header(stream);
    if (!header) co_return;
    if (!is_control(header->opcode)) {
      const bool continuation = header->opcode == WsOpcode::kContinuation;
      if (continuation != in_message) {  // a stray continuation, or a new message mid-message
        co_await send_close(stream, kWsCloseProtocolError);
        co_return;
      }
      in_message = !header->fin;
      const bool echoed = co_await echo_data_frame(stream, *header);
      if (!echoed) co_return;
      continue;
    }
    const auto payload = co_await read_control_payload(stream, *header);
    if (!payload) co_return;
    if (header->opcode == WsOpcode::kPing) {
      const bool sent = co_await send_frame(stream, WsOpcode::kPong, *payload);
      if (!sent) co_return;
    } else if (header->opcode == WsOpcode::kClose) {
      // §5.5.1: a close body is empty or a 2-byte code (+ reason); echo the code back.
      if (payload->size() == 1) {
        co_await send_close(stream, kWsCloseProtocolError);
      } else {
        co_await send_frame(stream, WsOpcode::kClose, std::string_view(*payload).substr(0, 2));
      }
      co_return;
    }  // an unsolicited pong needs no answer
  }
}

asio::awaitable<void> handle_websocket(Exchange& exchange) {
  const Request& request = exchange.request();
  if (!request.upgrade || !iequals(request.upgrade_protocol, "websocket")) {
    Reply reply = json_error(426, "this endpoint speaks WebSocket only");
    reply.fields = {{"Upgrade", "websocket"}};
    co_await exchange.reply(reply);
    co_return;
  }
  if (request.field("Sec-WebSocket-Version") != "13") {
    Reply reply = json_error(426, "unsupported WebSocket version");
    reply.fields = {{"Sec-WebSocket-Version", "13"}};
    co_await exchange.reply(reply);
    co_return;
  }
  const std::string_view key = request.field("Sec-WebSocket-Key");
  if (!is_valid_websocket_key(key) || request.has_body()) {
    co_await exchange.reply(json_error(400, "invalid WebSocket handshake"));
    co_return;
  }
  const std::string accept = websocket_accept_key(key);
  const std::array<FieldView, 3> fields{
      {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", accept}}};
  const bool switched = co_await exchange.begin(101, ResponseFraming::kNoBody, 0, {}, fields);
  if (!switched) co_return;
  exchange.mark_upgraded();
  co_await run_websocket_echo(exchange.stream());
}

}  // namespace flotilla::demo
