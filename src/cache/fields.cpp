// Lookups over borrowed header fields (fields.hpp): first value, presence and the combined value of
// a list-based field. Never keeps a pointer past the call.
#include "cache/fields.hpp"

#include "http/ascii.hpp"

namespace flotilla::cache {

std::string_view field_value(Fields fields, std::string_view name, bool* found) noexcept {
  for (const Field& f : fields) {
    if (http::ascii_iequals(f.name, name)) {
      if (found) *found = true;
      return f.value;
    }
  }
  if (found) *found = false;
  return {};
}

bool has_field(Fields fields, std::string_view name) noexcept {
  bool found = false;
  field_value(fields, name, &found);
  return found;
}

std::string combined_value(Fields fields, std::string_view name) {
  std::string out;
  for (const Field& f : fields) {
    if (!http::ascii_iequals(f.name, name)) continue;
    const std::string_view value = http::trim_ows(f.value);
    if (value.empty()) continue;
    if (!out.empty()) out += ", ";
    out += value;
  }
  return out;
}

}  // namespace flotilla::cache
