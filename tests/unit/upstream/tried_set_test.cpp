#include "upstream/tried_set.hpp"

#include <gtest/gtest.h>

namespace flotilla::upstream {
namespace {

TEST(TriedSet, RemembersUpToItsCapacity) {
  TriedSet tried;
  EXPECT_TRUE(tried.empty());
  for (std::uint64_t serial = 1; serial <= TriedSet::kCapacity; ++serial) {
    EXPECT_TRUE(tried.add({0, serial}));
  }
  EXPECT_TRUE(tried.add({0, 3})) << "already there";
  EXPECT_FALSE(tried.add({0, 100}));
  EXPECT_EQ(tried.size(), TriedSet::kCapacity);
  EXPECT_TRUE(tried.contains(1));
  EXPECT_TRUE(tried.contains(TriedSet::kCapacity));
  EXPECT_FALSE(tried.contains(100));
}

}  // namespace
}  // namespace flotilla::upstream
