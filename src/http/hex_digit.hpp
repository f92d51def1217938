// The value of one hexadecimal digit, for chunk sizes and percent-escapes alike.
#pragma once

namespace flotilla::http {

// 0-15, or -1 when `c` is not a hex digit (either case).
constexpr int hex_digit_value(unsigned char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace flotilla::http
