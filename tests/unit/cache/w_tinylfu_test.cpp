#include "cache/w_tinylfu.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <list>
#include <random>
#include <unordered_map>

namespace flotilla::cache {
namespace {

// Plain LRU over the same weighted keys: the baseline W-TinyLFU must beat.
class Lru {
 public:
  explicit Lru(std::uint64_t capacity) : capacity_(capacity) {}
  bool access(std::uint64_t key, std::uint64_t weight) {
    if (auto it = map_.find(key); it != map_.end()) {
      order_.splice(order_.end(), order_, it->second.first);
      return true;
    }
    order_.push_back(key);
    map_[key] = {std::prev(order_.end()), weight};
    bytes_ += weight;
    while (bytes_ > capacity_) {
      const std::uint64_t victim = order_.front();
      bytes_ -= map_[victim].second;
      map_.erase(victim);
      order_.pop_front();
    }
    return false;
  }

 private:
  std::uint64_t capacity_;
  std::uint64_t bytes_ = 0;
  std::list<std::uint64_t> order_;
  std::unordered_map<std::uint64_t, std::pair<std::list<std::uint64_t>::iterator, std::uint64_t>>
      map_;
};

bool tinylfu_access(WTinyLfu& p, std::uint64_t key, std::uint64_t weight) {
  p.record_access(key);
  if (p.contains(key)) {
    p.on_hit(key);
    return true;
  }
  std::vector<std::uint64_t> evicted;
  p.insert(key, weight, evicted);
  return false;
}

// Zipf(0.9) over 100 000 keys, every 20 000 requests interrupted by a scan of 10 000 keys that
// are never requested again (a crawler, a batch export).
std::vector<std::uint64_t> zipf_plus_scan_trace(std::size_t requests) {
  constexpr std::size_t kKeys = 100'000;
  constexpr double kAlpha = 0.9;
  std::vector<double> cdf(kKeys);
  double sum = 0;
  for (std::size_t i = 0; i < kKeys; ++i) {
    sum += 1.0 / std::pow(static_cast<double>(i + 1), kAlpha);
    cdf[i] = sum;
  }
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(0, sum);
  std::vector<std::uint64_t> trace;
  trace.reserve(requests);
  std::uint64_t scan_key = 1ull << 40;
  while (trace.size() < requests) {
    for (int i = 0; i < 20'000 && trace.size() < requests; ++i) {
      const auto at = std::lower_bound(cdf.begin(), cdf.end(), uniform(rng));
      trace.push_back(static_cast<std::uint64_t>(at - cdf.begin()));
    }
    for (int i = 0; i < 10'000 && trace.size() < requests; ++i) trace.push_back(scan_key++);
  }
  return trace;
}

TEST(WTinyLfu, BeatsLruOnZipfPlusScan) {
  const std::vector<std::uint64_t> trace = zipf_plus_scan_trace(600'000);
  constexpr std::uint64_t kWeight = 1024;
  for (std::uint64_t objects : {1'000ull, 5'000ull}) {
    WTinyLfu tinylfu(objects * kWeight, objects);
    Lru lru(objects * kWeight);
    std::size_t tinylfu_hits = 0, lru_hits = 0;
    for (std::uint64_t key : trace) {
      tinylfu_hits += tinylfu_access(tinylfu, key, kWeight);
      lru_hits += lru.access(key, kWeight);
    }
    const double t = static_cast<double>(tinylfu_hits) / static_cast<double>(trace.size());
    const double l = static_cast<double>(lru_hits) / static_cast<double>(trace.size());
    std::printf("zipf(0.9)+scan, %llu objects: W-TinyLFU hit ratio %.4f, LRU %.4f\n",
                static_cast<unsigned long long>(objects), t, l);
    EXPECT_GT(t, l + 0.05) << objects << " objects";
    EXPECT_LE(tinylfu.weight(), tinylfu.capacity());
  }
}

TEST(WTinyLfu, KeepsWeightWithinCapacity) {
  WTinyLfu p(10'000, 100);
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> evicted;
  for (int i = 0; i < 20'000; ++i) {
    const std::uint64_t key = rng() % 500;
    p.record_access(key);
    if (p.contains(key)) {
      p.on_hit(key);
    } else {
      p.insert(key, 1 + rng() % 900, evicted);
    }
    ASSERT_LE(p.weight(), p.capacity());
  }
}

TEST(WTinyLfu, RejectsHeavierThanCapacity) {
  WTinyLfu p(1000, 10);
  std::vector<std::uint64_t> evicted;
  p.insert(1, 2000, evicted);
  EXPECT_EQ(evicted, std::vector<std::uint64_t>{1});
  EXPECT_FALSE(p.contains(1));
}

TEST(WTinyLfu, PopularKeySurvivesAScan) {
  WTinyLfu p(100 * 10, 100);
  std::vector<std::uint64_t> evicted;
  for (int round = 0; round < 10; ++round) {  // key 7 is requested often
    p.record_access(7);
    if (p.contains(7)) {
      p.on_hit(7);
    } else {
      p.insert(7, 10, evicted);
    }
  }
  for (std::uint64_t k = 1000; k < 3000; ++k) {  // a scan of one-hit keys
    p.record_access(k);
    p.insert(k, 10, evicted);
  }
  EXPECT_TRUE(p.contains(7));
}

TEST(WTinyLfu, EraseForgets) {
  WTinyLfu p(1000, 10);
  std::vector<std::uint64_t> evicted;
  p.insert(1, 100, evicted);
  EXPECT_TRUE(p.contains(1));
  p.erase(1);
  EXPECT_FALSE(p.contains(1));
  EXPECT_EQ(p.weight(), 0u);
}

TEST(FrequencySketch, CountsAndHalves) {
  FrequencySketch s(64);
  for (int i = 0; i < 5; ++i) s.increment(123);
  EXPECT_GE(s.frequency(123), 5);
  EXPECT_LE(s.frequency(99999), 1);
  for (int i = 0; i < 40; ++i) s.increment(123);
  EXPECT_EQ(s.frequency(123), 15);  // saturates
  // 10 × width additions halve every counter.
  for (std::uint64_t k = 0; k < 10 * s.width(); ++k) s.increment(1'000'000 + k);
  EXPECT_LE(s.frequency(123), 8);
}

}  // namespace
}  // namespace flotilla::cache
