// Cache-Control directives (RFC 9111 §5.2) of a response and of a request, and the choice of the
// field a shared cache obeys: Flotilla-Cache-Control, then CDN-Cache-Control (RFC 9213 targeted
// fields), then Cache-Control. Pure parsing; never decides storability or freshness itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/fields.hpp"

namespace flotilla::cache {

// Delta-seconds are capped at 2^31 (RFC 9111 §1.2.2).
inline constexpr std::int64_t kMaxDeltaSeconds = 2147483648;

struct ResponseDirectives {
  std::optional<std::int64_t> max_age;   // an invalid value parses as 0 (stale, §4.2.1)
  std::optional<std::int64_t> s_maxage;  // likewise
  std::optional<std::int64_t> stale_while_revalidate;  // RFC 5861
  std::optional<std::int64_t> stale_if_error;
  bool no_store = false;
  bool no_cache = false;  // with or without field names
  bool private_ = false;  // with or without field names
  bool public_ = false;
  bool must_revalidate = false;
  bool proxy_revalidate = false;
  bool no_transform = false;
  bool immutable = false;
  std::vector<std::string> no_cache_fields;  // lower case; empty with no_cache = unqualified
  std::vector<std::string> private_fields;   // lower case; empty with private_ = unqualified
  // Any freshness directive present (max-age or s-maxage).
  bool has_explicit_lifetime() const noexcept { return max_age || s_maxage; }
};

// Which field the directives came from.
enum class DirectiveSource { kNone, kCacheControl, kCdnCacheControl, kFlotillaCacheControl };

struct SelectedDirectives {
  ResponseDirectives directives;
  DirectiveSource source = DirectiveSource::kNone;
  // True when a targeted field was used: Cache-Control and Expires are then ignored (RFC 9213
  // §2.1).
  bool targeted() const noexcept {
    return source == DirectiveSource::kCdnCacheControl ||
           source == DirectiveSource::kFlotillaCacheControl;
  }
};

struct RequestDirectives {
  std::optional<std::int64_t> max_age;
  std::optional<std::int64_t> min_fresh;
  bool max_stale = false;                   // present
  std::optional<std::int64_t> max_stale_s;  // absent with max_stale: any staleness
  bool no_cache = false;                    // also `Pragma: no-cache` without Cache-Control
  bool no_store = false;
  bool only_if_cached = false;
};

// Parses one Cache-Control value (the lines already combined). Unknown directives are ignored;
// for a repeated directive the first occurrence counts. Returns nullopt only for a value that is
// not a list of directives at all (used to ignore an invalid targeted field).
std::optional<ResponseDirectives> parse_response_directives(std::string_view value);
// The directives this cache obeys for a response with `fields` (RFC 9213 precedence; a targeted
// field that does not parse is ignored).
SelectedDirectives select_response_directives(Fields fields);
RequestDirectives parse_request_directives(Fields fields);

}  // namespace flotilla::cache
