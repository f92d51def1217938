#include "net/object_pool.hpp"

#include <gtest/gtest.h>

namespace flotilla::net {
namespace {

TEST(ObjectPool, ReusesReturnedObjects) {
  int made = 0;
  ObjectPool<int> pool(
      [&] {
        ++made;
        return std::make_unique<int>(made);
      },
      2);
  int* first = nullptr;
  {
    auto a = pool.lease();
    first = &*a;
  }
  EXPECT_EQ(pool.idle(), 1u);
  auto b = pool.lease();
  EXPECT_EQ(&*b, first);
  EXPECT_EQ(made, 1);
}

TEST(ObjectPool, KeepsAtMostMaxFree) {
  ObjectPool<int> pool([] { return std::make_unique<int>(0); }, 2);
  {
    auto a = pool.lease();
    auto b = pool.lease();
    auto c = pool.lease();
  }
  EXPECT_EQ(pool.idle(), 2u);
}

TEST(ObjectPool, LeaseMovesAndReleases) {
  ObjectPool<int> pool([] { return std::make_unique<int>(7); });
  auto a = pool.lease();
  auto b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_EQ(*b, 7);
  b.release();
  EXPECT_FALSE(b);
  EXPECT_EQ(pool.idle(), 1u);
}

}  // namespace
}  // namespace flotilla::net
