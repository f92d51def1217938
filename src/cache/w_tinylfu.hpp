// W-TinyLFU admission and eviction over weighted keys (Einziger, Friedman, Manes 2017; Caffeine):
// new keys enter a small LRU window (1 % of the bytes); a key leaving the window competes with the
// main space's LRU victim and is admitted only when the sketch says it is more popular; the main
// space is a segmented LRU (20 % probation, 80 % protected). Scans pass through the window without
// flushing popular keys. Bookkeeping only: owns no values, never frees anything itself.
#pragma once

#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

#include "cache/frequency_sketch.hpp"

namespace flotilla::cache {

class WTinyLfu {
 public:
  // `capacity` in the caller's weight units (bytes); `expected_entries` sizes the sketch.
  WTinyLfu(std::uint64_t capacity, std::uint64_t expected_entries);

  // Every lookup, hit or miss, counts towards the key's popularity.
  void record_access(std::uint64_t key) noexcept { sketch_.increment(key); }
  // A lookup found `key`: move it up its segment (probation → protected).
  void on_hit(std::uint64_t key);
  // Adds `key` (not present) of `weight`; appends to `evicted` every key that must now go —
  // possibly `key` itself, when it is heavier than the whole capacity or loses admission.
  void insert(std::uint64_t key, std::uint64_t weight, std::vector<std::uint64_t>& evicted);
  // Forgets `key` (purged or replaced by the caller); no effect when absent.
  void erase(std::uint64_t key);

  bool contains(std::uint64_t key) const { return nodes_.count(key) != 0; }
  std::uint64_t weight() const noexcept {
    return window_bytes_ + probation_bytes_ + protected_bytes_;
  }
  std::uint64_t capacity() const noexcept { return capacity_; }
  std::size_t size() const noexcept { return nodes_.size(); }

 private:
  enum class Segment { kWindow, kProbation, kProtected };
  struct Node {
    std::uint64_t weight = 0;
    Segment segment = Segment::kWindow;
    std::list<std::uint64_t>::iterator at;
  };

  std::list<std::uint64_t>& list_of(Segment s);
  std::uint64_t& bytes_of(Segment s);
  void move_to(std::uint64_t key, Node& node, Segment to);
  void remove(std::uint64_t key, std::vector<std::uint64_t>& evicted);
  void evict_from_main(std::vector<std::uint64_t>& candidates, std::vector<std::uint64_t>& evicted);
  void shrink_protected();

  std::uint64_t capacity_;
  std::uint64_t window_capacity_;
  std::uint64_t protected_capacity_;
  FrequencySketch sketch_;
  std::unordered_map<std::uint64_t, Node> nodes_;
  std::list<std::uint64_t> window_, probation_, protected_;  // front = least recently used
  std::uint64_t window_bytes_ = 0, probation_bytes_ = 0, protected_bytes_ = 0;
};

}  // namespace flotilla::cache
