// Vary (RFC 9111 §4.1): the request fields a stored response was selected by, normalised so that
// requests differing only in whitespace, case of tokens or order of list items share a variant.
// Pure; `Vary: *` never matches.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/fields.hpp"

namespace flotilla::cache {

// The selecting fields of a stored response: (lower-case name, normalised request value).
struct VarySelection {
  bool star = false;  // Vary: * — never served from cache
  std::vector<std::pair<std::string, std::string>> fields;
  friend bool operator==(const VarySelection&, const VarySelection&) = default;
};

// The field's value as compared for Vary: lines combined, whitespace around commas and at the ends
// dropped; for token lists whose items are case-insensitive and unordered (Accept-Encoding,
// Accept-Language, Accept-Charset) lower case and sorted.
std::string normalise_field_value(std::string_view name, Fields request_fields);

// Records what a response with `response_fields` varies on, from the request that fetched it.
VarySelection vary_selection(Fields response_fields, Fields request_fields);

// Whether a new request selects the stored response (§4.1).
bool vary_matches(const VarySelection& stored, Fields request_fields);

}  // namespace flotilla::cache
