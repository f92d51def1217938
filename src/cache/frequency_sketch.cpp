// The count-min sketch of frequency_sketch.hpp: counter i of a key lives in word index_of(h, i),
// at nibble (h >> 8i) & 15; increments saturate at 15.
#include "cache/frequency_sketch.hpp"

#include <algorithm>
#include <bit>

namespace flotilla::cache {
namespace {

constexpr std::uint64_t kSeeds[4] = {0xc3a5c85c97cb3127ull, 0xb492b66fbe98f273ull,
                                     0x9ae16a3b2f90404full, 0xcbf29ce484222325ull};

std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

FrequencySketch::FrequencySketch(std::uint64_t expected_entries) {
  const std::uint64_t width = std::bit_ceil(std::max<std::uint64_t>(64, expected_entries));
  table_.assign(width, 0);
  mask_ = width - 1;
  sample_size_ = 10 * width;
}

std::uint64_t FrequencySketch::index_of(std::uint64_t hash, int i) const noexcept {
  return mix(hash ^ kSeeds[i]) & mask_;
}

void FrequencySketch::increment(std::uint64_t key_hash) noexcept {
  const std::uint64_t h = mix(key_hash);
  bool added = false;
  for (int i = 0; i < 4; ++i) {
    const unsigned shift = static_cast<unsigned>(((h >> (8 * i)) & 15) * 4);
    std::uint64_t& word = table_[index_of(key_hash, i)];
    if (((word >> shift) & 15) != 15) {
      word += std::uint64_t{1} << shift;
      added = true;
    }
  }
  if (added && ++additions_ >= sample_size_) halve();
}

int FrequencySketch::frequency(std::uint64_t key_hash) const noexcept {
  const std::uint64_t h = mix(key_hash);
  int out = 15;
  for (int i = 0; i < 4; ++i) {
    const unsigned shift = static_cast<unsigned>(((h >> (8 * i)) & 15) * 4);
    out = std::min(out, static_cast<int>((table_[index_of(key_hash, i)] >> shift) & 15));
  }
  return out;
}

void FrequencySketch::halve() noexcept {
  for (std::uint64_t& word : table_) word = (word >> 1) & 0x7777777777777777ull;
  additions_ /= 2;
}

}  // namespace flotilla::cache
