// Writes the framing bytes of the chunked transfer coding into small caller buffers.
// Owns nothing; must never allocate, copy body data or write past the span it is given.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace flotilla::http {

// Longest chunk header: CRLF ending the previous chunk + 16 hex digits + CRLF.
inline constexpr std::size_t kMaxChunkHeaderSize = 2 + 16 + 2;
// Ends a chunk's data.
inline constexpr std::string_view kChunkDataEnd = "\r\n";
// Last chunk with no trailer fields (after a chunk's kChunkDataEnd).
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// Writes `<hex n>\r\n`, preceded by the previous chunk's CRLF when `after_chunk` (so the gap
// between two data pieces is one piece). Returns the bytes written; 0 when n == 0 (that would
// end the body: use write_last_chunk) or when `out` is too small.
std::size_t write_chunk_header(std::span<char> out, std::size_t n,
                               bool after_chunk = false) noexcept;

// Writes the last chunk: `0\r\n`, the trailer field lines (each ending in CRLF, caller-built),
// then the final CRLF, preceded by the previous chunk's CRLF when `after_chunk`. Returns the
// bytes written, 0 when `out` is too small.
std::size_t write_last_chunk(std::span<char> out, std::string_view trailer_fields = {},
                             bool after_chunk = false) noexcept;

}  // namespace flotilla::http
