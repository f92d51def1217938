// Chunk framing writer: hex sizes, buffer bounds, last chunk, round trip through the decoder.
// Tests only the public API of chunked_encoder.hpp.
#include "http/chunked_encoder.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "http/chunked_decoder.hpp"

namespace flotilla::http {
namespace {

std::string header(std::size_t n, bool after = false) {
  std::array<char, kMaxChunkHeaderSize> buf{};
  const std::size_t len = write_chunk_header(buf, n, after);
  return std::string(buf.data(), len);
}

TEST(ChunkedEncoder, WritesHexSizeLines) {
  EXPECT_EQ(header(1), "1\r\n");
  EXPECT_EQ(header(15), "f\r\n");
  EXPECT_EQ(header(16), "10\r\n");
  EXPECT_EQ(header(65536), "10000\r\n");
  EXPECT_EQ(header(4096, true), "\r\n1000\r\n");
  EXPECT_EQ(header(SIZE_MAX, true), "\r\nffffffffffffffff\r\n");
  EXPECT_EQ(header(SIZE_MAX, true).size(), kMaxChunkHeaderSize);
}

TEST(ChunkedEncoder, RefusesZeroAndSmallBuffers) {
  EXPECT_EQ(header(0), "");
  std::array<char, 3> small{};
  EXPECT_EQ(write_chunk_header(small, 0x10), 0u);  // needs 4
  EXPECT_EQ(write_chunk_header(small, 0xf), 3u);
  EXPECT_EQ(write_last_chunk(small), 0u);
}

TEST(ChunkedEncoder, WritesLastChunk) {
  std::array<char, 64> buf{};
  std::size_t n = write_last_chunk(buf);
  EXPECT_EQ(std::string_view(buf.data(), n), kLastChunk);
  n = write_last_chunk(buf, "X-Sum: 1\r\n", true);
  EXPECT_EQ(std::string_view(buf.data(), n), "\r\n0\r\nX-Sum: 1\r\n\r\n");
}

TEST(ChunkedEncoder, RoundTripsThroughTheDecoder) {
  const std::string_view pieces[] = {"hello", " ", "chunked world, with a longer piece"};
  std::string wire;
  std::array<char, kMaxChunkHeaderSize> buf{};
  bool first = true;
  for (std::string_view piece : pieces) {
    wire.append(buf.data(), write_chunk_header(buf, piece.size(), !first));
    wire.append(piece);
    first = false;
  }
  std::array<char, 32> last{};
  wire.append(last.data(), write_last_chunk(last, {}, true));

  ChunkedDecoder d;
  std::string body;
  std::string_view in = wire;
  while (!d.done()) {
    const BodyStep s = d.decode(in);
    ASSERT_FALSE(s.failed()) << to_string(s.error);
    body.append(s.data);
    in.remove_prefix(s.consumed);
  }
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(body, "hello chunked world, with a longer piece");
}

}  // namespace
}  // namespace flotilla::http
