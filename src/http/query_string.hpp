// Splits a request target into path and query and reads `name=value` parameters from the query.
// Pure functions over views into the caller's target; must never allocate (except percent_decode).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla::http {

struct TargetParts {
  std::string_view path;   // before `?` (the whole target when there is no query)
  std::string_view query;  // after `?`, fragment excluded; empty when absent
};

// Also reduces an absolute-form target (`http://host/p?q`, RFC 9112 §3.2.2) to its path/query.
TargetParts split_target(std::string_view target) noexcept;

// Raw (not percent-decoded) value of the first `name=...` pair: "" for a bare `name` or `name=`,
// nullopt when the name is absent. Names are compared exactly, after percent-decoding neither.
std::optional<std::string_view> query_value(std::string_view query, std::string_view name) noexcept;

// Decodes `%XX` escapes and `+` (as space, per HTML forms). nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

// Whole-string decimal number, no sign, no spaces, no suffix; nullopt otherwise or on overflow.
std::optional<std::uint64_t> parse_uint(std::string_view text) noexcept;
// Whole-string decimal fraction such as `0.25`, `1`, `.5`; nullopt otherwise (no inf/nan/exponent).
std::optional<double> parse_fraction(std::string_view text) noexcept;

// A numeric query parameter: absent gives `fallback`; present must parse and be <= max.
// nullopt means "answer 400": the value is malformed or out of range.
std::optional<std::uint64_t> uint_param(std::string_view query, std::string_view name,
                                        std::uint64_t fallback, std::uint64_t max) noexcept;

}  // namespace flotilla::http
