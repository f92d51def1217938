#include "gateway/route_table.hpp"

#include <algorithm>

namespace flotilla::gateway {
namespace {

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != b[i]) return false;  // b is stored lowercase
  }
  return true;
}

std::string_view strip_port(std::string_view host) noexcept {
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

// 0 = no match; higher is more specific.
std::size_t host_score(std::string_view rule, std::string_view host) noexcept {
  if (rule.empty()) return 1;
  if (rule.starts_with("*.")) {
    const std::string_view suffix = rule.substr(1);  // ".example.com"
    if (host.size() > suffix.size() && iequals(host.substr(host.size() - suffix.size()), suffix)) {
      return 2 + suffix.size();
    }
    return 0;
  }
  return iequals(host, rule) ? SIZE_MAX : 0;
}

}  // namespace

RouteTable::RouteTable(std::vector<RouteKey> keys) {
  entries_.reserve(keys.size());
  for (std::uint32_t i = 0; i < keys.size(); ++i) entries_.push_back({std::move(keys[i]), i});
}

std::uint32_t RouteTable::match(std::string_view host, std::string_view path) const noexcept {
  host = strip_port(host);
  if (host.size() > 1 && host.back() == '.') host.remove_suffix(1);  // `example.com.` is absolute
  std::uint32_t best = kNoRoute;
  std::size_t best_host = 0;
  std::size_t best_path = 0;
  // Routes are few (tens); a linear scan over contiguous entries beats a trie at that size.
  for (const Entry& entry : entries_) {
    const std::size_t score = host_score(entry.key.host, host);
    if (score == 0 || score < best_host) continue;
    const std::string_view prefix = entry.key.path_prefix;
    if (!path.starts_with(prefix)) continue;
    if (score == best_host && prefix.size() <= best_path && best != kNoRoute) continue;
    best = entry.index;
    best_host = score;
    best_path = prefix.size();
  }
  return best;
}

}  // namespace flotilla::gateway
