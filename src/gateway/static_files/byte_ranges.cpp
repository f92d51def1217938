#include "gateway/static_files/byte_ranges.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace flotilla::gateway::files {
namespace {

std::string_view trim_spaces(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool digits(std::string_view text, std::uint64_t& out) noexcept {
  if (text.empty() || text.size() > 19) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  std::from_chars(text.data(), text.data() + text.size(), out);
  return true;
}

}  // namespace

RangeVerdict parse_ranges(std::string_view header, std::uint64_t size,
                          std::vector<ByteRange>& ranges) {
  ranges.clear();
  header = trim_spaces(header);
  if (header.size() < 6) return RangeVerdict::kIgnore;
  constexpr std::string_view kUnit = "bytes=";  // the unit is case-insensitive
  for (std::size_t i = 0; i < kUnit.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kUnit[i]) {
      return RangeVerdict::kIgnore;
    }
  }
  std::string_view rest = header.substr(6);
  std::size_t specs = 0;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view spec = trim_spaces(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (spec.empty()) continue;  // "bytes=0-1,,2-3": empty elements are allowed
    if (++specs > kMaxRanges) return RangeVerdict::kIgnore;
    const std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return RangeVerdict::kIgnore;
    const std::string_view a = trim_spaces(spec.substr(0, dash));
    const std::string_view b = trim_spaces(spec.substr(dash + 1));
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    if (a.empty()) {  // suffix: the last N bytes
      if (!digits(b, last)) return RangeVerdict::kIgnore;
      if (last == 0 || size == 0) continue;  // unsatisfiable on its own
      ranges.push_back({size - std::min(last, size), size - 1});
      continue;
    }
    if (!digits(a, first)) return RangeVerdict::kIgnore;
    if (b.empty()) {
      last = size == 0 ? 0 : size - 1;
    } else if (!digits(b, last) || last < first) {
      return RangeVerdict::kIgnore;  // invalid syntax: the whole Range is ignored
    }
    if (first >= size) continue;  // unsatisfiable on its own
    ranges.push_back({first, std::min(last, size - 1)});
  }
  if (specs == 0) return RangeVerdict::kIgnore;
  if (ranges.empty()) return RangeVerdict::kUnsatisfiable;
  // Many small overlapping or reordered ranges cost the server more than the file: a client
  // that asks for them gets the whole representation (RFC 9110 §14.2 allows ignoring Range).
  std::size_t disorder = 0;
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first <= ranges[i - 1].last) ++disorder;
  }
  if (disorder > 2) {
    ranges.clear();
    return RangeVerdict::kIgnore;
  }
  return RangeVerdict::kSatisfiable;
}

Multipart make_multipart(const std::vector<ByteRange>& ranges, std::uint64_t size,
                         std::string_view content_type, std::string_view boundary) {
  Multipart out;
  out.boundary = boundary;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const ByteRange& r = ranges[i];
    std::string head =
        fmt::format("{}--{}\r\nContent-Type: {}\r\nContent-Range: bytes {}-{}/{}\r\n\r\n",
                    i == 0 ? "" : "\r\n", boundary, content_type, r.first, r.last, size);
    out.content_length += head.size() + r.size();
    out.heads.push_back(std::move(head));
  }
  out.tail = fmt::format("\r\n--{}--\r\n", boundary);
  out.content_length += out.tail.size();
  return out;
}

}  // namespace flotilla::gateway::files
