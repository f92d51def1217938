// Conditional requests against a file's validators (RFC 9110 §13): the nginx-style ETag, the
// HTTP date forms, If-Match / If-Unmodified-Since / If-None-Match / If-Modified-Since in the
// order of §13.2.2, and If-Range. Pure functions of header values; never reads a file.
#pragma once

#include <ctime>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "http/message.hpp"

namespace flotilla::gateway::files {

// "<mtime hex>-<size hex>" in quotes, as nginx writes it (a strong validator).
struct Etag {
  std::array<char, 40> text{};
  std::size_t size = 0;
  std::string_view view() const noexcept { return {text.data(), size}; }
};
Etag make_etag(std::time_t mtime, std::uint64_t size) noexcept;

// IMF-fixdate (RFC 9110 §5.6.7) of `t` into `out` (29 bytes); returns the view.
std::string_view format_http_date(std::time_t t, std::array<char, 29>& out) noexcept;
// An HTTP-date in any of the three forms §5.6.7 says a recipient must accept; nullopt when invalid.
std::optional<std::time_t> parse_http_date(std::string_view text) noexcept;

// The request's conditional headers (empty views when absent).
struct Conditions {
  std::string_view if_match;
  std::string_view if_none_match;
  std::string_view if_modified_since;
  std::string_view if_unmodified_since;
  std::string_view if_range;
  std::string_view range;
};
Conditions conditions_of(const http::RequestHead& head) noexcept;

enum class Precondition : std::uint8_t { kProceed, kNotModified, kFailed };

// §13.2.2: If-Match (else If-Unmodified-Since) → 412; then If-None-Match (else, for GET/HEAD,
// If-Modified-Since) → 304 for GET/HEAD, 412 otherwise.
Precondition evaluate(const Conditions& conditions, std::string_view etag, std::time_t mtime,
                      bool get_or_head) noexcept;

// §13.1.5: whether Range applies — no If-Range, or one that matches (a strong ETag compared
// strongly, or a date equal to Last-Modified).
bool if_range_holds(std::string_view if_range, std::string_view etag, std::time_t mtime) noexcept;

// Whether an entity-tag list ("*", or `"a", W/"b"`) holds `etag`; weak comparison compares
// the opaque tags only, strong requires both sides strong.
bool etag_list_matches(std::string_view list, std::string_view etag, bool weak) noexcept;

}  // namespace flotilla::gateway::files
