// Tracks where a message body ends, whatever its framing: none, Content-Length, chunked, close.
// Owns the body's progress between reads; must never copy body bytes, allocate or throw.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/chunked_decoder.hpp"
#include "http/limits.hpp"
#include "http/message.hpp"

namespace flotilla::http {

class BodyReader {
 public:
  explicit BodyReader(const ChunkedLimits& limits = {}) noexcept : chunked_(limits) {}

  // Begins a body framed as the parsed head says (content_length only for kContentLength).
  void start(BodyFraming framing, std::uint64_t content_length = 0) noexcept;

  // Same contract as ChunkedDecoder::decode: one run of body bytes per call, as a view into
  // `input`; the bytes after a done step belong to the next message.
  BodyStep next(std::string_view input) noexcept;

  // The peer closed the connection: kNone if that is a valid end of this body (until-close, or
  // already done), else kBodyTruncated.
  ParseError finish_at_eof() noexcept;

  // Chunked: keeps the trailer fields in `buffer` (ChunkedDecoder::keep_trailers), after start().
  void keep_trailers(std::span<char> buffer) noexcept { chunked_.keep_trailers(buffer); }
  std::string_view trailers() const noexcept {
    return framing_ == BodyFraming::kChunked ? chunked_.trailers() : std::string_view{};
  }

  bool done() const noexcept { return done_; }
  BodyFraming framing() const noexcept { return framing_; }
  // Content-Length bytes still expected (0 for other framings).
  std::uint64_t remaining() const noexcept { return remaining_; }
  // Body bytes (framing excluded) delivered so far.
  std::uint64_t body_bytes() const noexcept { return body_bytes_; }

 private:
  ChunkedDecoder chunked_;
  std::uint64_t remaining_ = 0;
  std::uint64_t body_bytes_ = 0;
  BodyFraming framing_ = BodyFraming::kNone;
  bool done_ = true;
};

}  // namespace flotilla::http
