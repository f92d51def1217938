#include "supervisor/port_allocator.hpp"

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

TEST(PortAllocator, LowestPortNotInUse) {
  const config::PortRange range{8000, 8003};
  EXPECT_EQ(lowest_free_port(range, {}), 8000);
  EXPECT_EQ(lowest_free_port(range, {8000, 8002}), 8001);
  EXPECT_EQ(lowest_free_port(range, {8001, 8000, 8002}), 8003);
  EXPECT_EQ(lowest_free_port(range, {8000, 8001, 8002, 8003}), std::nullopt);
  EXPECT_EQ(lowest_free_port(config::PortRange{65535, 65535}, {}), 65535);  // no wrap-around
}

TEST(PortAllocator, LowestIndexNotInUse) {
  EXPECT_EQ(lowest_free_index({}), 0u);
  EXPECT_EQ(lowest_free_index({0, 1, 3}), 2u);
  EXPECT_EQ(lowest_free_index({2, 1, 0}), 3u);
}

}  // namespace
}  // namespace flotilla::supervisor
