// Which port and which index a new instance gets: the lowest ones no live instance holds. During
// a rollout old and new instances run side by side, so neither can be derived from the other
// (port = first + index no longer holds). Pure functions over what is in use; no sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "config/values.hpp"

namespace flotilla::supervisor {

// The lowest port of `range` not in `in_use`; none when the range is exhausted.
std::optional<std::uint16_t> lowest_free_port(const config::PortRange& range,
                                              const std::vector<std::uint16_t>& in_use);

// The lowest index (0, 1, ...) not in `in_use`, so keys stay "web/0".."web/N-1" in steady state.
std::uint32_t lowest_free_index(const std::vector<std::uint32_t>& in_use);

}  // namespace flotilla::supervisor
