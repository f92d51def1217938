// Incremental end-of-head scan over 64-byte blocks of CR/LF bitmasks: few branches per block.
// Must never look at a byte twice across calls (bar 2 bytes of context), nor past the buffer.
#include "http/head_scanner.hpp"

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace flotilla::http {
namespace {

constexpr std::size_t kBlock = 64;

struct Masks {
  std::uint64_t lf = 0;  // bit j: data[pos + j] == '\n'
  std::uint64_t cr = 0;
};

// CR/LF masks of the n (<= 64) bytes at p. Per-line memchr was measured slower: every line end
// is a mispredicted branch, where a block costs one.
Masks block_masks(const char* p, std::size_t n) noexcept {
  Masks m;
  std::size_t j = 0;
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  for (; j + 16 <= n; j += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j));
    m.lf |=
        static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf))))
        << j;
    m.cr |=
        static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr))))
        << j;
  }
#endif
  for (; j < n; ++j) {
    m.lf |= static_cast<std::uint64_t>(p[j] == '\n') << j;
    m.cr |= static_cast<std::uint64_t>(p[j] == '\r') << j;
  }
  return m;
}

}  // namespace

HeadScanner::State HeadScanner::scan(std::string_view buffer, const Limits& limits) noexcept {
  if (error_ != ParseError::kNone) return State::kError;
  if (head_end_ != 0) return State::kComplete;
  const char* data = buffer.data();
  const std::size_t size = buffer.size();
  std::size_t pos = scanned_;

  // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
  // They count toward the start-line limit so a flood of CRLFs is bounded too.
  while (!in_head_) {
    if (pos >= size) {
      scanned_ = pos;
      return State::kIncomplete;
    }
    if (data[pos] == '\n') return fail(ParseError::kBareLf);
    if (data[pos] != '\r') {
      in_head_ = true;
      head_start_ = pos;
      pos += 1;  // not CR nor LF: the block scan may start after it, with a byte of context
      break;
    }
    if (pos + 1 >= size) {
      scanned_ = pos;
      return State::kIncomplete;
    }
    if (data[pos + 1] != '\n') return fail(ParseError::kBareCr);
    pos += 2;
    if (pos > limits.max_request_line) return fail(ParseError::kRequestLineTooLong);
  }

  // Verdicts are positional (the first offending byte decides) and each limit is checked with
  // the same condition whether the deciding LF has arrived or not, so the verdict does not
  // depend on how the bytes were split across reads.
  const std::size_t line_limit = limits.max_request_line + 1;  // + the CR of a full line
  while (pos < size) {
    const std::size_t n = size - pos < kBlock ? size - pos : kBlock;
    const Masks m = block_masks(data + pos, n);
    std::uint64_t lf = m.lf;
    // Context from the two bytes before the block (pos >= head_start_ + 1 >= 1).
    const std::uint64_t cr_before = (m.cr << 1) | static_cast<std::uint64_t>(data[pos - 1] == '\r');
    std::uint64_t lf_two_before =
        (m.lf << 2) | (static_cast<std::uint64_t>(data[pos - 1] == '\n') << 1);
    if (pos >= 2) lf_two_before |= static_cast<std::uint64_t>(data[pos - 2] == '\n');

    if (!start_line_done_) {
      if (lf == 0) {
        pos += n;
        if (pos > line_limit) return fail(ParseError::kRequestLineTooLong);
        continue;
      }
      const auto bit = static_cast<unsigned>(__builtin_ctzll(lf));
      const std::size_t first = pos + bit;
      if (first > line_limit) return fail(ParseError::kRequestLineTooLong);
      if ((cr_before >> bit & 1) == 0) return fail(ParseError::kBareLf);
      start_line_done_ = true;
      start_line_end_ = first - 1;
      lf &= lf - 1;  // the start line's LF is neither bare nor an end of head
    }

    const std::size_t fields_start = start_line_end_ + 2;
    const std::uint64_t bare = lf & ~cr_before;
    const std::uint64_t end = lf & cr_before & lf_two_before;  // CRLF CRLF (a bare LF errs first)
    if ((bare | end) != 0) {
      const auto bit = static_cast<unsigned>(__builtin_ctzll(bare | end));
      const std::size_t at = pos + bit;
      if (at + 1 - fields_start > limits.max_header_bytes) {
        return fail(ParseError::kHeadersTooLarge);
      }
      if ((bare >> bit & 1) != 0) return fail(ParseError::kBareLf);
      head_end_ = at + 1;
      scanned_ = head_end_;
      return State::kComplete;
    }
    pos += n;
    if (pos - fields_start >= limits.max_header_bytes) return fail(ParseError::kHeadersTooLarge);
  }
  scanned_ = pos;
  if (!start_line_done_) {
    if (size > line_limit) return fail(ParseError::kRequestLineTooLong);
  } else if (pos - (start_line_end_ + 2) >= limits.max_header_bytes) {
    return fail(ParseError::kHeadersTooLarge);  // reached when resumed at the end of the data
  }
  return State::kIncomplete;
}

}  // namespace flotilla::http
