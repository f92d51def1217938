// Path patterns for the key catalogue: indexes and user-chosen names folded away.
#include "config/key_catalogue.hpp"

#include <algorithm>
#include <array>

namespace flotilla::config {
namespace {

// Top-level sections whose keys are names the user chooses.
constexpr std::array<std::string_view, 4> kNamedSections{"services", "upstreams", "cache_stores",
                                                       "rate_limits"};

}  // namespace

std::string key_pattern(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  bool name_next = false;  // the segment after "services." is a user's name
  while (i < path.size()) {
    if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      out += "[]";
      i = close == std::string_view::npos ? path.size() : close + 1;
      continue;
    }
    if (path[i] == '.') {
      out += '.';
      ++i;
      continue;
    }
    const std::size_t end = path.find_first_of(".[", i);
    const std::string_view segment = path.substr(i, end == std::string_view::npos ? end : end - i);
    if (name_next) {
      out += "<name>";
      name_next = false;
    } else {
      out += segment;
      name_next = out == segment && std::find(kNamedSections.begin(), kNamedSections.end(),
                                              segment) != kNamedSections.end();
    }
    i += segment.size();
  }
  return out;
}

std::vector<std::string> KeyCatalogue::full_keys() const {
  std::vector<std::string> out;
  for (const auto& [mapping, names] : keys) {
    for (const std::string& name : names) {
      out.push_back(mapping.empty() ? name : mapping + "." + name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace flotilla::config
