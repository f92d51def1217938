// Size limits of the HTTP/1.1 codec: plain structs, no behaviour.
// Owns the default bounds every parser enforces; must never depend on anything but the std library.
#pragma once

#include <cstddef>

namespace flotilla::http {

// Bounds of one message head. Exceeding them yields 414 (request line) or 431 (header section).
struct Limits {
  // Request line (or status line) in bytes, CRLF excluded. Leading empty lines count toward it.
  std::size_t max_request_line = 8 * 1024;
  // Header section in bytes: from after the start line's CRLF through the final empty line.
  std::size_t max_header_bytes = 8 * 1024;
  // Number of header fields; also the capacity reserved once per parser.
  std::size_t max_headers = 100;
};

// Bounds of the chunked framing, so a peer cannot make the decoder scan forever without data.
struct ChunkedLimits {
  // One chunk-size line: size digits (leading zeros included) + extensions, CRLF excluded.
  std::size_t max_chunk_line = 1024;
  // The whole trailer section after the last chunk, final CRLF included.
  std::size_t max_trailer_bytes = 8 * 1024;
};

}  // namespace flotilla::http
