// TinyLFU's popularity estimate (Einziger et al.): a count-min sketch of 4-bit counters, four
// hashes per key, halved every `10 × width` increments so that old popularity fades. Fixed size
// at construction; never allocates afterwards and never shares itself between threads.
#pragma once

#include <cstdint>
#include <vector>

namespace flotilla::cache {

class FrequencySketch {
 public:
  // Sized for about `expected_entries` distinct keys (rounded up to a power of two, ≥ 64).
  explicit FrequencySketch(std::uint64_t expected_entries);

  void increment(std::uint64_t key_hash) noexcept;
  // The estimated count (0-15): never below the true count since the last halving.
  int frequency(std::uint64_t key_hash) const noexcept;
  std::uint64_t width() const noexcept { return table_.size(); }

 private:
  void halve() noexcept;
  std::uint64_t index_of(std::uint64_t hash, int i) const noexcept;

  std::vector<std::uint64_t> table_;  // 16 counters of 4 bits per word
  std::uint64_t mask_ = 0;
  std::uint64_t additions_ = 0;
  std::uint64_t sample_size_ = 0;
};

}  // namespace flotilla::cache
