// Chunked framing state machine: a byte at a time on size lines and trailers, a whole run at a
// time on data. Must never hand out bytes that are not chunk data, nor accept a lenient size.
#include "http/chunked_decoder.hpp"

#include <algorithm>
#include <limits>

#include "http/char_class.hpp"
#include "http/hex_digit.hpp"

namespace flotilla::http {
namespace {

using detail::is_ows;
using detail::is_token_char;

constexpr std::uint64_t kMaxChunkSize = std::numeric_limits<std::int64_t>::max();

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
bool is_qdtext(unsigned char c) noexcept {
  return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c != 0x7f);
}

}  // namespace

void ChunkedDecoder::reset() noexcept {
  const ChunkedLimits limits = limits_;
  *this = ChunkedDecoder(limits);
}

BodyStep ChunkedDecoder::decode(std::string_view input) noexcept {
  BodyStep step;
  if (state_ == State::kError) {
    step.error = error_;
    return step;
  }
  if (state_ == State::kDone) {
    step.done = true;
    return step;
  }
  std::size_t i = 0;
  const std::size_t n = input.size();
  while (i < n) {
    if (state_ == State::kData) {
      const std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(chunk_remaining_, n - i));
      step.data = input.substr(i, take);
      i += take;
      chunk_remaining_ -= take;
      if (chunk_remaining_ == 0) state_ = State::kDataCr;
      break;
    }
    const auto c = static_cast<unsigned char>(input[i++]);
    ParseError e = ParseError::kNone;
    switch (state_) {
      case State::kDataCr:
        if (c == '\r') {
          state_ = State::kDataLf;
        } else {
          e = ParseError::kMissingChunkCrlf;
        }
        break;
      case State::kDataLf:
        if (c == '\n') {
          state_ = State::kSize;
          size_ = 0;
          size_has_digit_ = false;
          line_bytes_ = 0;
        } else {
          e = ParseError::kMissingChunkCrlf;
        }
        break;
      case State::kTrailerLineStart:
      case State::kTrailerName:
      case State::kTrailerValue:
      case State::kTrailerLf:
      case State::kFinalLf:
        e = step_trailer(c);
        break;
      default:
        e = step_line(c);
        break;
    }
    if (e != ParseError::kNone) {
      state_ = State::kError;
      error_ = e;
      step.error = e;
      break;
    }
    if (state_ == State::kDone) {
      step.done = true;
      break;
    }
  }
  step.consumed = i;
  return step;
}

// chunk-size [ chunk-ext ] CRLF, with chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ).
ParseError ChunkedDecoder::step_line(unsigned char c) noexcept {
  if (++line_bytes_ > limits_.max_chunk_line) return ParseError::kChunkLineTooLong;
  const auto ch = static_cast<char>(c);
  switch (state_) {
    case State::kSize: {
      const int digit = hex_digit_value(c);
      if (digit >= 0) {
        const auto d = static_cast<std::uint64_t>(digit);
        if (size_ > (kMaxChunkSize - d) / 16) return ParseError::kChunkSizeOverflow;
        size_ = size_ * 16 + d;
        size_has_digit_ = true;
        return ParseError::kNone;
      }
      if (!size_has_digit_) return ParseError::kInvalidChunkSize;
      if (c == ';') {
        state_ = State::kExtBeforeName;
      } else if (is_ows(ch)) {
        state_ = State::kSizeWs;
      } else if (c == '\r') {
        state_ = State::kSizeLf;
      } else {
        return ParseError::kInvalidChunkSize;
      }
      return ParseError::kNone;
    }
    case State::kSizeWs:
      // BWS is allowed only before an extension: `1 \r\n` is rejected.
      if (c == ';') {
        state_ = State::kExtBeforeName;
      } else if (!is_ows(ch)) {
        return ParseError::kInvalidChunkSize;
      }
      return ParseError::kNone;
    case State::kExtBeforeName:
      if (is_token_char(ch)) {
        state_ = State::kExtName;
      } else if (!is_ows(ch)) {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtName:
      if (c == ';') {
        state_ = State::kExtBeforeName;
      } else if (c == '=') {
        state_ = State::kExtBeforeValue;
      } else if (is_ows(ch)) {
        state_ = State::kExtAfterName;
      } else if (c == '\r') {
        state_ = State::kSizeLf;
      } else if (!is_token_char(ch)) {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtAfterName:
      if (c == ';') {
        state_ = State::kExtBeforeName;
      } else if (c == '=') {
        state_ = State::kExtBeforeValue;
      } else if (!is_ows(ch)) {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtBeforeValue:
      if (c == '"') {
        state_ = State::kExtQuoted;
      } else if (is_token_char(ch)) {
        state_ = State::kExtValue;
      } else if (!is_ows(ch)) {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtValue:
      if (c == ';') {
        state_ = State::kExtBeforeName;
      } else if (is_ows(ch)) {
        state_ = State::kExtAfterValue;
      } else if (c == '\r') {
        state_ = State::kSizeLf;
      } else if (!is_token_char(ch)) {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtQuoted:
      if (c == '"') {
        state_ = State::kExtAfterQuoted;
      } else if (c == '\\') {
        state_ = State::kExtQuotedPair;
      } else if (!is_qdtext(c)) {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtQuotedPair:
      // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
      if (c != '\t' && (c < 0x20 || c == 0x7f)) return ParseError::kInvalidChunkExtension;
      state_ = State::kExtQuoted;
      return ParseError::kNone;
    case State::kExtAfterQuoted:
      if (c == ';') {
        state_ = State::kExtBeforeName;
      } else if (is_ows(ch)) {
        state_ = State::kExtAfterValue;
      } else if (c == '\r') {
        state_ = State::kSizeLf;
      } else {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtAfterValue:
      if (c == ';') {
        state_ = State::kExtBeforeName;
      } else if (!is_ows(ch)) {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kSizeLf:
      if (c != '\n') return ParseError::kBareCr;
      if (size_ == 0) {
        state_ = State::kTrailerLineStart;
        trailer_bytes_ = 0;
      } else {
        state_ = State::kData;
        chunk_remaining_ = size_;
      }
      return ParseError::kNone;
    default:
      return ParseError::kInvalidChunkSize;
  }
}

// trailer-section = *( field-line CRLF ) CRLF, with the head's field-line rules.
ParseError ChunkedDecoder::step_trailer(unsigned char c) noexcept {
  if (++trailer_bytes_ > limits_.max_trailer_bytes) return ParseError::kTrailersTooLarge;
  const auto ch = static_cast<char>(c);
  const bool field_byte =
      state_ != State::kFinalLf && !(state_ == State::kTrailerLineStart && c == '\r');
  if (!keep_.empty() && field_byte && kept_ <= keep_.size()) {
    if (kept_ < keep_.size()) keep_[kept_] = ch;
    ++kept_;
  }
  switch (state_) {
    case State::kTrailerLineStart:
      if (c == '\r') {
        state_ = State::kFinalLf;
      } else if (is_token_char(ch)) {
        state_ = State::kTrailerName;
      } else {
        return ParseError::kInvalidTrailer;  // obs-fold, empty name, CTL
      }
      return ParseError::kNone;
    case State::kTrailerName:
      if (c == ':') {
        state_ = State::kTrailerValue;
      } else if (!is_token_char(ch)) {
        return ParseError::kInvalidTrailer;
      }
      return ParseError::kNone;
    case State::kTrailerValue:
      if (c == '\r') {
        state_ = State::kTrailerLf;
      } else if (!detail::has_class(ch, detail::kFieldText)) {
        return ParseError::kInvalidTrailer;
      }
      return ParseError::kNone;
    case State::kTrailerLf:
      if (c != '\n') return ParseError::kInvalidTrailer;
      state_ = State::kTrailerLineStart;
      return ParseError::kNone;
    case State::kFinalLf:
      if (c != '\n') return ParseError::kInvalidTrailer;
      state_ = State::kDone;
      return ParseError::kNone;
    default:
      return ParseError::kInvalidTrailer;
  }
}

}  // namespace flotilla::http
