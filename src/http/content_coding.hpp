// Content codings (RFC 9110 §8.4.1) and the Accept-Encoding negotiation (§12.5.3): which of the
// codings a server offers, in its preference order, a client's Accept-Encoding asks for.
// Pure functions over views: never allocates, never knows how a coding is produced.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace flotilla::http {

enum class ContentCoding : std::uint8_t {
  kIdentity,
  kGzip,
  kBrotli,
  kZstd,
  kNotAcceptable,  // a negotiation result: neither an offered coding nor identity is acceptable
};

// The token as sent in Content-Encoding ("gzip", "br", "zstd", "identity"); empty for
// kNotAcceptable.
std::string_view coding_token(ContentCoding coding) noexcept;

// The coding a token names (case-insensitive; "x-gzip" is gzip, RFC 9110 §8.4.1.3), or
// kNotAcceptable for a token flotilla does not know.
ContentCoding coding_from_token(std::string_view token) noexcept;

// The client's weight for `coding` in an Accept-Encoding value, in thousandths (q=0.5 → 500):
// its own element, else `*`'s, else 0 — except identity, acceptable (1000) unless excluded by
// `identity;q=0` or `*;q=0` without an identity element. Elements with a malformed q are ignored.
int coding_weight(std::string_view accept_encoding, ContentCoding coding) noexcept;

// Chooses the response's coding. `accept_encoding` is null when the request had no such field
// (then identity: RFC 9110 allows any coding, but clients that decompress say so). The highest
// client weight wins; among equal weights the earlier entry of `offered` (the server's
// preference), and any offered coding before identity; identity competes by weight only when the
// client weighed it (`identity;q=…` or `*`), else it is the fallback. kNotAcceptable when nothing
// offered is acceptable and identity is refused too.
ContentCoding negotiate_coding(const std::string_view* accept_encoding,
                               std::span<const ContentCoding> offered) noexcept;

}  // namespace flotilla::http
