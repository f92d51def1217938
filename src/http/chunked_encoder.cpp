// Chunk framing writer: hex size lines and the last chunk, into caller-provided spans.
// Must never write past the span, and never emit a zero-size chunk header (it ends the body).
#include "http/chunked_encoder.hpp"

#include <cstring>

namespace flotilla::http {
namespace {

std::size_t hex_digits(std::size_t n) noexcept {
  std::size_t digits = 1;
  while (n >>= 4) ++digits;
  return digits;
}

}  // namespace

std::size_t write_chunk_header(std::span<char> out, std::size_t n, bool after_chunk) noexcept {
  if (n == 0) return 0;
  const std::size_t digits = hex_digits(n);
  const std::size_t total = (after_chunk ? 2 : 0) + digits + 2;
  if (out.size() < total) return 0;
  char* p = out.data();
  if (after_chunk) {
    *p++ = '\r';
    *p++ = '\n';
  }
  for (std::size_t i = digits; i-- > 0;) {
    p[i] = "0123456789abcdef"[n & 0xf];
    n >>= 4;
  }
  p += digits;
  *p++ = '\r';
  *p = '\n';
  return total;
}

std::size_t write_last_chunk(std::span<char> out, std::string_view trailer_fields,
                             bool after_chunk) noexcept {
  const std::size_t total = (after_chunk ? 2 : 0) + 3 + trailer_fields.size() + 2;
  if (out.size() < total) return 0;
  char* p = out.data();
  if (after_chunk) {
    std::memcpy(p, "\r\n", 2);
    p += 2;
  }
  std::memcpy(p, "0\r\n", 3);
  p += 3;
  if (!trailer_fields.empty()) {
    std::memcpy(p, trailer_fields.data(), trailer_fields.size());
    p += trailer_fields.size();
  }
  std::memcpy(p, "\r\n", 2);
  return total;
}

}  // namespace flotilla::http
