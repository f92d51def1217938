// The cache's view of a message's header fields: name/value pairs borrowed from whoever owns the
// message (the gateway's parsed head, a stored entry), so RFC 9111 logic needs no HTTP codec.
// Data and lookups only; never owns or copies the bytes it points at.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace flotilla::cache {

struct Field {
  std::string_view name;
  std::string_view value;
};

using Fields = std::span<const Field>;

// The first value of `name` (ASCII case-insensitive), or empty with `found` false.
std::string_view field_value(Fields fields, std::string_view name, bool* found = nullptr) noexcept;
// Whether a field named `name` is present.
bool has_field(Fields fields, std::string_view name) noexcept;
// Every line of `name` joined with ", " (RFC 9110 §5.3), for list-based fields.
std::string combined_value(Fields fields, std::string_view name);

}  // namespace flotilla::cache
