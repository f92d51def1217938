// Frame header codec for the demo's WebSocket echo (and any other RFC 6455 endpoint).
// Validation follows §5.2 strictly; anything the echo cannot represent is refused, never guessed.
#include "demo/websocket_frame.hpp"

namespace flotilla::demo {
namespace {

bool known_opcode(std::uint8_t op) noexcept {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

WsDecodeResult fail(std::uint16_t code) noexcept {
  WsDecodeResult result;
  result.status = WsDecodeStatus::kError;
  result.close_code = code;
  return result;
}

}  // namespace

WsDecodeResult decode_frame_header(std::string_view input, bool require_mask,
                                   std::uint64_t max_payload) noexcept {
  WsDecodeResult result;
  if (input.size() < 2) return result;
  const auto b0 = static_cast<std::uint8_t>(input[0]);
  const auto b1 = static_cast<std::uint8_t>(input[1]);
  WsFrameHeader& h = result.header;
  h.fin = (b0 & 0x80) != 0;
  const std::uint8_t op = b0 & 0x0F;
  if ((b0 & 0x70) != 0 || !known_opcode(op)) return fail(kWsCloseProtocolError);
  h.opcode = static_cast<WsOpcode>(op);
  h.masked = (b1 & 0x80) != 0;
  if (require_mask && !h.masked) return fail(kWsCloseProtocolError);

  const std::uint8_t length7 = b1 & 0x7F;
  std::size_t size = 2;
  if (length7 == 126) {
    size += 2;
  } else if (length7 == 127) {
    size += 8;
  }
  if (h.masked) size += 4;
  if (is_control(h.opcode) && (!h.fin || length7 > kWsMaxControlPayload)) {
    return fail(kWsCloseProtocolError);
  }
  if (input.size() < size) return result;

  std::size_t pos = 2;
  if (length7 < 126) {
    h.payload_size = length7;
  } else {
    const std::size_t bytes = length7 == 126 ? 2 : 8;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
      value = (value << 8) | static_cast<std::uint8_t>(input[pos + i]);
    }
    pos += bytes;
    // §5.2: "the minimal number of bytes MUST be used"; the 64-bit form's top bit MUST be 0.
    if ((length7 == 126 && value < 126) || (length7 == 127 && value <= 0xFFFF) ||
        (value >> 63) != 0) {
      return fail(kWsCloseProtocolError);
    }
    h.payload_size = value;
  }
  if (h.payload_size > max_payload) return fail(kWsCloseTooBig);
  if (h.masked) {
    for (std::size_t i = 0; i < 4; ++i) h.mask[i] = static_cast<std::uint8_t>(input[pos + i]);
    pos += 4;
  }
  h.header_size = pos;
  result.status = WsDecodeStatus::kComplete;
  return result;
}

std::size_t encode_frame_header(std::span<std::uint8_t, kWsMaxHeaderSize> out, WsOpcode opcode,
                                bool fin, std::uint64_t payload_size, const WsMask* mask) noexcept {
  out[0] = static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode));
  const std::uint8_t mask_bit = mask != nullptr ? 0x80 : 0x00;
  std::size_t pos = 2;
  if (payload_size < 126) {
    out[1] = static_cast<std::uint8_t>(mask_bit | payload_size);
  } else if (payload_size <= 0xFFFF) {
    out[1] = mask_bit | 126;
    out[2] = static_cast<std::uint8_t>(payload_size >> 8);
    out[3] = static_cast<std::uint8_t>(payload_size);
    pos = 4;
  } else {
    out[1] = mask_bit | 127;
    for (std::size_t i = 0; i < 8; ++i) {
      out[2 + i] = static_cast<std::uint8_t>(payload_size >> (8 * (7 - i)));
    }
    pos = 10;
  }
  if (mask != nullptr) {
    for (std::size_t i = 0; i < 4; ++i) out[pos + i] = (*mask)[i];
    pos += 4;
  }
  return pos;
}

void apply_mask(std::span<char> data, const WsMask& mask, std::uint64_t offset) noexcept {
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<char>(static_cast<std::uint8_t>(data[i]) ^ mask[(offset + i) & 3]);
  }
}

}  // namespace flotilla::demo
