// The shared key table: keys apart, idle-key eviction, the bound, and exact counting when several
// threads hit one key at once.
#include "ratelimit/key_table.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ratelimit/client_key.hpp"

namespace flotilla::ratelimit {
namespace {

constexpr Micros kOneSecond = 1'000'000;

std::uint64_t key(int n) {
  return hash_key(std::to_string(n), 12345);
}

int admit_key(KeyTable& table, std::uint64_t hash, Micros now, const GcraParams& params,
              int count) {
  int admitted = 0;
  for (int i = 0; i < count; ++i) admitted += table.acquire(hash, now, params).allowed ? 1 : 0;
  return admitted;
}

TEST(KeyTable, KeysHaveSeparateBudgets) {
  KeyTable table(1024);
  const GcraParams params = make_params(10, 10 * kOneSecond, 0, false);
  for (int k = 0; k < 100; ++k)
    EXPECT_EQ(admit_key(table, key(k), kOneSecond, params, 15), 10) << k;
  EXPECT_EQ(table.active(kOneSecond), 100u);
}

TEST(KeyTable, IdleKeysFreeTheirSlots) {
  KeyTable table(64);
  const GcraParams params = make_params(10, kOneSecond, 0, false);
  for (int k = 0; k < 64; ++k) admit_key(table, key(k), kOneSecond, params, 10);
  EXPECT_GT(table.active(kOneSecond), 0u);
  // Once their budgets are whole again the slots are free: a new wave needs no eviction.
  const Micros later = 3 * kOneSecond;
  EXPECT_EQ(table.active(later), 0u);
  const std::uint64_t before = table.evictions();
  for (int k = 100; k < 140; ++k) EXPECT_EQ(admit_key(table, key(k), later, params, 12), 10);
  EXPECT_EQ(table.evictions(), before);
}

TEST(KeyTable, IsBoundedAndEvictsTheLeastUsedWhenFull) {
  KeyTable table(16);
  EXPECT_EQ(table.size(), 16u);
  const GcraParams params = make_params(1000, kOneSecond, 0, false);
  for (int k = 0; k < 1000; ++k) admit_key(table, key(k), kOneSecond, params, 1);
  EXPECT_LE(table.active(kOneSecond), 16u);
  EXPECT_GT(table.evictions(), 0u);
}

TEST(KeyTable, ThreadsSharingAKeyShareOneBudgetExactly) {
  KeyTable table(1024);
  // No refill during the test: 1000 per hour.
  const GcraParams params = make_params(1000, 3600 * kOneSecond, 0, false);
  const Micros now = kOneSecond;
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      int mine = 0;
      for (int i = 0; i < 5000; ++i) mine += table.acquire(key(7), now, params).allowed ? 1 : 0;
      admitted += mine;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 1000);
}

TEST(KeyTable, ThreadsOnManyKeysCountEachExactly) {
  KeyTable table(4096);
  const GcraParams params = make_params(50, 3600 * kOneSecond, 0, false);
  std::vector<std::atomic<int>> admitted(200);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 100; ++round) {
        for (int k = 0; k < 200; ++k) {
          if (table.acquire(key(k), kOneSecond, params).allowed) ++admitted[k];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int k = 0; k < 200; ++k) EXPECT_EQ(admitted[k].load(), 50) << k;
}

}  // namespace
}  // namespace flotilla::ratelimit
