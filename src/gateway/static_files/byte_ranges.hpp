// The Range header (RFC 9110 §14.1-14.2) against a representation of known size: byte ranges
// resolved to [first, last], suffix ranges, overlap limits. Pure; the multipart/byteranges
// framing of a 206 with several ranges is made here too (boundaries and part heads).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla::gateway::files {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t size() const noexcept { return last - first + 1; }
};

enum class RangeVerdict : std::uint8_t {
  kIgnore,         // no Range, not bytes, or malformed: a 200 with the whole file (§14.2)
  kSatisfiable,    // ranges holds one or more ranges, in request order
  kUnsatisfiable,  // 416 with Content-Range: bytes */size
};

// At most this many ranges per request, and no more than two that overlap or are out of order
// (as nginx's and Apache's defences against range floods): more is answered with the whole file.
inline constexpr std::size_t kMaxRanges = 16;

RangeVerdict parse_ranges(std::string_view header, std::uint64_t size,
                          std::vector<ByteRange>& ranges);

// A multipart/byteranges body: the part heads (boundary line, Content-Type, Content-Range)
// between the file's slices, and the closing delimiter.
struct Multipart {
  std::string boundary;              // without the leading dashes
  std::vector<std::string> heads;    // heads[i] precedes ranges[i] (CRLF before, except first)
  std::string tail;                  // CRLF--boundary--CRLF
  std::uint64_t content_length = 0;  // the whole body
};
Multipart make_multipart(const std::vector<ByteRange>& ranges, std::uint64_t size,
                         std::string_view content_type, std::string_view boundary);

}  // namespace flotilla::gateway::files
