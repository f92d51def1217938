// Lowest-free allocation for instance ports and indexes.
#include "supervisor/port_allocator.hpp"

#include <algorithm>

namespace flotilla::supervisor {

std::optional<std::uint16_t> lowest_free_port(const config::PortRange& range,
                                              const std::vector<std::uint16_t>& in_use) {
  for (std::uint32_t port = range.first; port <= range.last; ++port) {
    if (std::find(in_use.begin(), in_use.end(), port) == in_use.end()) {
      return static_cast<std::uint16_t>(port);
    }
  }
  return std::nullopt;
}

std::uint32_t lowest_free_index(const std::vector<std::uint32_t>& in_use) {
  std::uint32_t index = 0;
  while (std::find(in_use.begin(), in_use.end(), index) != in_use.end()) ++index;
  return index;
}

}  // namespace flotilla::supervisor
