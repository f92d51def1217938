// Route selection: host (exact or `*.suffix`) then the longest matching path prefix, as nginx's
// server_name + location prefix matching. Immutable once built; workers share it read-only
// through the snapshot.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flotilla::gateway {

struct RouteKey {
  std::string host;         // lowercase; empty = any host; "*.example.com" = any subdomain
  std::string path_prefix;  // "/" matches everything
};

class RouteTable {
 public:
  static constexpr std::uint32_t kNoRoute = UINT32_MAX;

  // `keys[i]` belongs to route i; the returned index refers to that order.
  explicit RouteTable(std::vector<RouteKey> keys);
  RouteTable() = default;

  // A route matches when both its host rule and its path prefix match. Among matches: an exact
  // host beats a wildcard, a longer wildcard beats a shorter one, any of them beats a host-less
  // route; then the longest prefix wins; then the first in the file. `host` may carry a port,
  // which is ignored, and end in the root's `.` (`example.com.`), ignored too. Returns kNoRoute
  // when nothing matches.
  std::uint32_t match(std::string_view host, std::string_view path) const noexcept;

 private:
  struct Entry {
    RouteKey key;
    std::uint32_t index;
  };
  std::vector<Entry> entries_;  // sorted by match priority
};

}  // namespace flotilla::gateway
