// Vary matching with normalisation (vary.hpp). Never allocates beyond the normalised strings.
#include "cache/vary.hpp"

#include <algorithm>

#include "http/ascii.hpp"

namespace flotilla::cache {
namespace {

bool unordered_token_list(std::string_view name) {
  return name == "accept-encoding" || name == "accept-language" || name == "accept-charset";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = http::ascii_lower(c);
  return out;
}

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view item = http::trim_ows(value.substr(0, comma));
    if (!item.empty()) {
      // "gzip ; q=0.5" → "gzip;q=0.5"
      std::string compact;
      for (char c : item) {
        if (c != ' ' && c != '\t') compact += c;
      }
      out.push_back(std::move(compact));
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::string normalise_field_value(std::string_view name, Fields request_fields) {
  const std::string lname = lower(name);
  std::vector<std::string> items = split_list(combined_value(request_fields, lname));
  if (unordered_token_list(lname)) {
    for (std::string& item : items) item = lower(item);
    std::sort(items.begin(), items.end());
  }
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

VarySelection vary_selection(Fields response_fields, Fields request_fields) {
  VarySelection out;
  const std::string vary = combined_value(response_fields, "vary");
  for (const std::string& item : split_list(vary)) {
    if (item == "*") {
      out.star = true;
      out.fields.clear();
      return out;
    }
    std::string name = lower(item);
    const bool seen = std::any_of(out.fields.begin(), out.fields.end(),
                                  [&](const auto& f) { return f.first == name; });
    if (seen) continue;
    std::string value = normalise_field_value(name, request_fields);
    out.fields.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

bool vary_matches(const VarySelection& stored, Fields request_fields) {
  if (stored.star) return false;
  return std::all_of(stored.fields.begin(), stored.fields.end(), [&](const auto& f) {
    return normalise_field_value(f.first, request_fields) == f.second;
  });
}

}  // namespace flotilla::cache
