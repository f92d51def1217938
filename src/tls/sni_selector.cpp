// SNI lookup: exact names, then one-label wildcards (see sni_selector.hpp).
#include "tls/sni_selector.hpp"

#include <algorithm>
#include <cctype>

namespace flotilla::tls {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

void SniSelector::add(std::size_t index, const std::vector<std::string>& names) {
  for (const std::string& raw : names) {
    const std::string name = lowercase(raw);
    if (name.starts_with("*.")) {
      const std::string suffix = name.substr(2);
      // "*.*.x" or "*.com"-like patterns with no dot are not one-label wildcards.
      if (suffix.empty() || suffix.find('*') != std::string::npos) continue;
      wildcard_.emplace(suffix, index);
    } else if (!name.empty() && name.find('*') == std::string::npos) {
      exact_.emplace(name, index);
    }
  }
}

std::optional<std::size_t> SniSelector::select(std::string_view server_name) const {
  if (server_name.ends_with('.')) server_name.remove_suffix(1);
  if (server_name.empty()) return std::nullopt;
  const std::string name = lowercase(server_name);
  if (const auto it = exact_.find(name); it != exact_.end()) return it->second;
  const std::size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0) return std::nullopt;
  if (const auto it = wildcard_.find(std::string_view(name).substr(dot + 1));
      it != wildcard_.end()) {
    return it->second;
  }
  return std::nullopt;
}

}  // namespace flotilla::tls
