// /api/alloc's storage: pages are written (not just reserved) so RSS really grows.
#include "demo/memory_ballast.hpp"

namespace flotilla::demo {
namespace {
constexpr std::size_t kPage = 4096;
}  // namespace

std::uint64_t MemoryBallast::hold(std::size_t mib) {
  const std::size_t size = mib * kMiB;
  // for_overwrite: no zeroing pass the kernel could satisfy with shared zero pages.
  auto block = std::make_unique_for_overwrite<char[]>(size);
  for (std::size_t offset = 0; offset < size; offset += kPage) block[offset] = 1;
  const std::lock_guard lock(mutex_);
  blocks_.push_back(std::move(block));
  held_ += size;
  return held_;
}

std::uint64_t MemoryBallast::held_bytes() const {
  const std::lock_guard lock(mutex_);
  return held_;
}

}  // namespace flotilla::demo
