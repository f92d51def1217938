// Memory the demo app holds on purpose (/api/alloc) so tests can exercise memory limits and
// alerts. Owns the blocks until exit; must never release them on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace flotilla::demo {

inline constexpr std::size_t kMiB = 1024 * 1024;

class MemoryBallast {
 public:
  // Allocates `mib` MiB, writes every page so it is resident, keeps it. Returns the total held.
  std::uint64_t hold(std::size_t mib);
  std::uint64_t held_bytes() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::uint64_t held_ = 0;
};

}  // namespace flotilla::demo
