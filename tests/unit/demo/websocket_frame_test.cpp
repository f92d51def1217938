#include "demo/websocket_frame.hpp"

#include <string>

#include <gtest/gtest.h>

namespace flotilla::demo {
namespace {

constexpr std::uint64_t kMax = 16 * 1024 * 1024;

std::string encode(WsOpcode op, bool fin, std::uint64_t size, const WsMask* mask = nullptr) {
  std::array<std::uint8_t, kWsMaxHeaderSize> out{};
  const std::size_t n = encode_frame_header(out, op, fin, size, mask);
  return std::string(reinterpret_cast<const char*>(out.data()), n);
}

TEST(WsFrame, Rfc6455MaskedHelloExample) {
  // RFC 6455 §5.7: a single-frame masked text message containing "Hello".
  const std::string frame("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
  const WsDecodeResult r = decode_frame_header(frame, true, kMax);
  ASSERT_EQ(r.status, WsDecodeStatus::kComplete);
  EXPECT_TRUE(r.header.fin);
  EXPECT_EQ(r.header.opcode, WsOpcode::kText);
  EXPECT_TRUE(r.header.masked);
  EXPECT_EQ(r.header.payload_size, 5u);
  EXPECT_EQ(r.header.header_size, 6u);
  std::string payload = frame.substr(6);
  apply_mask(payload, r.header.mask, 0);
  EXPECT_EQ(payload, "Hello");
}

TEST(WsFrame, Rfc6455UnmaskedHelloEncodes) {
  EXPECT_EQ(encode(WsOpcode::kText, true, 5) + "Hello", std::string("\x81\x05Hello", 7));
}

TEST(WsFrame, MaskingPieceByPieceMatchesWhole) {
  const WsMask mask{1, 2, 3, 4};
  std::string whole = "the quick brown fox";
  std::string pieces = whole;
  apply_mask(whole, mask, 0);
  apply_mask(std::span<char>(pieces).first(3), mask, 0);
  apply_mask(std::span<char>(pieces).subspan(3, 7), mask, 3);
  apply_mask(std::span<char>(pieces).subspan(10), mask, 10);
  EXPECT_EQ(whole, pieces);
  apply_mask(whole, mask, 0);
  EXPECT_EQ(whole, "the quick brown fox");
}

TEST(WsFrame, LengthFormsRoundTrip) {
  const WsMask mask{9, 8, 7, 6};
  for (const std::uint64_t size : {0ull, 125ull, 126ull, 65535ull, 65536ull, 16ull << 20}) {
    const std::string header = encode(WsOpcode::kBinary, false, size, &mask);
    const WsDecodeResult r = decode_frame_header(header, true, kMax);
    ASSERT_EQ(r.status, WsDecodeStatus::kComplete) << size;
    EXPECT_EQ(r.header.payload_size, size);
    EXPECT_EQ(r.header.header_size, header.size());
    EXPECT_FALSE(r.header.fin);
    EXPECT_EQ(r.header.opcode, WsOpcode::kBinary);
    EXPECT_EQ(r.header.mask, mask);
  }
  EXPECT_EQ(encode(WsOpcode::kText, true, 125).size(), 2u);
  EXPECT_EQ(encode(WsOpcode::kText, true, 126).size(), 4u);
  EXPECT_EQ(encode(WsOpcode::kText, true, 65536).size(), 10u);
}

TEST(WsFrame, IncompleteUntilWholeHeader) {
  const WsMask mask{1, 2, 3, 4};
  const std::string header = encode(WsOpcode::kBinary, true, 70000, &mask);
  for (std::size_t n = 0; n < header.size(); ++n) {
    EXPECT_EQ(decode_frame_header(header.substr(0, n), true, kMax).status,
              WsDecodeStatus::kIncomplete)
        << n;
  }
}

TEST(WsFrame, RejectsProtocolErrors) {
  const WsMask mask{1, 2, 3, 4};
  auto close_code = [](const std::string& bytes, bool require_mask = true) {
    const WsDecodeResult r = decode_frame_header(bytes, require_mask, kMax);
    return r.status == WsDecodeStatus::kError ? r.close_code : 0;
  };
  // Unmasked client frame.
  EXPECT_EQ(close_code(encode(WsOpcode::kText, true, 1)), kWsCloseProtocolError);
  EXPECT_EQ(close_code(encode(WsOpcode::kText, true, 1), false), 0);
  // RSV1 set, unknown opcode 3.
  EXPECT_EQ(close_code(std::string("\xC1\x80\0\0\0\0", 6)), kWsCloseProtocolError);
  EXPECT_EQ(close_code(std::string("\x83\x80\0\0\0\0", 6)), kWsCloseProtocolError);
  // Fragmented or oversized control frames.
  EXPECT_EQ(close_code(encode(WsOpcode::kPing, false, 1, &mask)), kWsCloseProtocolError);
  EXPECT_EQ(close_code(encode(WsOpcode::kPing, true, 126, &mask)), kWsCloseProtocolError);
  // Non-minimal lengths, and the 64-bit form's top bit.
  EXPECT_EQ(close_code(std::string("\x82\xFE\x00\x05\0\0\0\0", 8)), kWsCloseProtocolError);
  EXPECT_EQ(close_code(std::string("\x82\xFF\0\0\0\0\0\0\xFF\xFF\0\0\0\0", 14)),
            kWsCloseProtocolError);
  EXPECT_EQ(close_code(std::string("\x82\xFF\x80\0\0\0\0\0\0\0\0\0\0\0", 14)),
            kWsCloseProtocolError);
  // Too big for the endpoint.
  EXPECT_EQ(close_code(encode(WsOpcode::kBinary, true, kMax + 1, &mask)), kWsCloseTooBig);
}

}  // namespace
}  // namespace flotilla::demo
