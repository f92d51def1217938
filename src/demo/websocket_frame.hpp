// RFC 6455 §5 frame headers: decode from received bytes, encode for sending, and payload masking.
// Pure functions over caller buffers; must never allocate, do I/O, or hold a payload.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace flotilla::demo {

enum class WsOpcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close status codes (RFC 6455 §7.4.1) this module sends.
inline constexpr std::uint16_t kWsCloseNormal = 1000;
inline constexpr std::uint16_t kWsCloseGoingAway = 1001;
inline constexpr std::uint16_t kWsCloseProtocolError = 1002;
inline constexpr std::uint16_t kWsCloseTooBig = 1009;

// 2 bytes + 8-byte extended length + 4-byte mask.
inline constexpr std::size_t kWsMaxHeaderSize = 14;
// Control frames carry at most 125 bytes and are never fragmented (§5.5).
inline constexpr std::size_t kWsMaxControlPayload = 125;

using WsMask = std::array<std::uint8_t, 4>;

struct WsFrameHeader {
  std::uint64_t payload_size = 0;
  std::size_t header_size = 0;  // bytes of the header itself (2..14)
  WsMask mask{};
  WsOpcode opcode = WsOpcode::kContinuation;
  bool fin = false;
  bool masked = false;
};

enum class WsDecodeStatus : std::uint8_t { kIncomplete, kComplete, kError };

struct WsDecodeResult {
  WsDecodeStatus status = WsDecodeStatus::kIncomplete;
  WsFrameHeader header;
  std::uint16_t close_code = 0;  // on kError: the status to close with
};

inline bool is_control(WsOpcode opcode) noexcept {
  return (static_cast<std::uint8_t>(opcode) & 0x8) != 0;
}

// Decodes the header at the start of `input`. Rejects (1002) reserved bits (no extension is ever
// negotiated), unknown opcodes, fragmented or oversized control frames, a 64-bit length with the
// top bit set, a length not in its minimal form, and, when `require_mask`, an unmasked frame
// (a server must reject those, §5.1). Payloads over `max_payload` are rejected with 1009.
WsDecodeResult decode_frame_header(std::string_view input, bool require_mask,
                                   std::uint64_t max_payload) noexcept;

// Writes a frame header into `out`; with `mask` it is a client frame. Returns the bytes written.
std::size_t encode_frame_header(std::span<std::uint8_t, kWsMaxHeaderSize> out, WsOpcode opcode,
                                bool fin, std::uint64_t payload_size,
                                const WsMask* mask = nullptr) noexcept;

// XORs `data` with the mask in place; `offset` is the position of data[0] within the payload,
// so a payload can be unmasked piece by piece as it arrives.
void apply_mask(std::span<char> data, const WsMask& mask, std::uint64_t offset) noexcept;

}  // namespace flotilla::demo
