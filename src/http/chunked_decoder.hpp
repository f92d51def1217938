// Strict, incremental, zero-copy decoder of the chunked transfer coding (RFC 9112 §7.1).
// Owns only the framing state between reads; must never copy body bytes, allocate or throw.
//
// Decisions: chunk-size is 1*HEXDIG (no sign, `0x`, or whitespace before CRLF), at most 2^63-1,
// leading zeros allowed within max_chunk_line. Extensions follow the RFC grammar
// `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )` and are skipped, bounded by
// max_chunk_line. Data must be followed by exactly CRLF. Trailer fields get the head's rules
// (token name, no whitespace before colon, no obs-fold, no CTL) and are validated and skipped,
// bounded by max_trailer_bytes; a proxy re-framing the body drops them (RFC 9110 §6.5.1 allows)
// unless it asks for them to be kept (keep_trailers: copied into the caller's buffer).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "http/limits.hpp"
#include "http/message.hpp"

namespace flotilla::http {

class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(const ChunkedLimits& limits = {}) noexcept : limits_(limits) {}

  // Decodes from the start of `input` (the bytes after what earlier calls consumed). Returns at
  // most one run of chunk data, as a view into `input`; call again with the rest of the input
  // until it is empty, done or failed. An error is sticky until reset().
  BodyStep decode(std::string_view input) noexcept;

  bool done() const noexcept { return state_ == State::kDone; }
  bool failed() const noexcept { return state_ == State::kError; }
  ParseError error() const noexcept { return error_; }
  // Data bytes of the current chunk not received yet (0 between chunks).
  std::uint64_t chunk_remaining() const noexcept { return chunk_remaining_; }
  void reset() noexcept;
  // Keeps the trailer field lines (each with its CRLF; the final CRLF not) in `buffer`, after
  // reset(). None are kept when they do not fit.
  void keep_trailers(std::span<char> buffer) noexcept {
    keep_ = buffer;
    kept_ = 0;
  }
  // The kept lines once done(); empty when none were asked for, sent, or they did not fit.
  std::string_view trailers() const noexcept {
    return done() && kept_ <= keep_.size() ? std::string_view(keep_.data(), kept_)
                                           : std::string_view{};
  }

 private:
  enum class State : std::uint8_t {
    kSize,
    kSizeWs,
    kExtBeforeName,
    kExtName,
    kExtAfterName,
    kExtBeforeValue,
    kExtValue,
    kExtQuoted,
    kExtQuotedPair,
    kExtAfterQuoted,
    kExtAfterValue,
    kSizeLf,
    kData,
    kDataCr,
    kDataLf,
    kTrailerLineStart,
    kTrailerName,
    kTrailerValue,
    kTrailerLf,
    kFinalLf,
    kDone,
    kError,
  };

  ParseError step_line(unsigned char c) noexcept;
  ParseError step_trailer(unsigned char c) noexcept;

  ChunkedLimits limits_;
  std::uint64_t chunk_remaining_ = 0;
  std::uint64_t size_ = 0;
  std::size_t line_bytes_ = 0;
  std::size_t trailer_bytes_ = 0;
  std::span<char> keep_;
  std::size_t kept_ = 0;  // keep_.size() + 1: they did not fit
  bool size_has_digit_ = false;
  State state_ = State::kSize;
  ParseError error_ = ParseError::kNone;
};

}  // namespace flotilla::http
