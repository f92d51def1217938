// Maps a point in [0, total weight) to the item whose weight span contains it, the walk nginx's
// ip_hash and weighted random choices share. Must never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace flotilla::upstream {

template <typename T, typename WeightOf>
std::uint64_t total_weight(std::span<const T> items, WeightOf&& weight_of) {
  std::uint64_t total = 0;
  for (const T& item : items) total += weight_of(item);
  return total;
}

// `point` must be below total_weight(items); items must not be empty.
template <typename T, typename WeightOf>
std::size_t item_at_weight(std::span<const T> items, std::uint64_t point, WeightOf&& weight_of) {
  std::size_t i = 0;
  while (i + 1 < items.size() && point >= weight_of(items[i])) {
    point -= weight_of(items[i]);
    ++i;
  }
  return i;
}

}  // namespace flotilla::upstream
