#include "net/frame_pool.hpp"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <string>
#include <thread>
#include <type_traits>

#include "net/async.hpp"

namespace flotilla::net {
namespace {

using DataPlanePromise = std::coroutine_traits<Awaitable<int>, int>::promise_type;
static_assert(std::is_base_of_v<asio::detail::awaitable_frame<int, Executor>, DataPlanePromise>);
static_assert(!std::is_same_v<asio::detail::awaitable_frame<int, Executor>, DataPlanePromise>,
              "data-plane coroutines must take their frames from the pool");

TEST(FramePool, AFreedBlockServesTheNextFrameOfItsSizeClass) {
  // (Under a sanitizer there is no pool: ASan must see every frame's reuse.)
  void* first = allocate_frame(200);
  free_frame(first, 200);
  void* second = allocate_frame(250);  // same 64-byte class (193..256)
  if (frame_pool_enabled()) {
    EXPECT_EQ(second, first);
  }
  void* other = allocate_frame(100);  // another class
  EXPECT_NE(other, first);
  free_frame(other, 100);
  free_frame(second, 250);
}

TEST(FramePool, BlocksAreUsableToTheirWholeSize) {
  for (std::size_t size : {1u, 64u, 65u, 1000u, 4096u, 5000u, 70000u}) {
    auto* bytes = static_cast<unsigned char*>(allocate_frame(size));
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(i);
    free_frame(bytes, size);
  }
}

TEST(FramePool, ABlockFreedOnAnotherThreadJoinsThatThreadsList) {
  void* block = allocate_frame(300);
  void* reused = nullptr;
  std::thread([&] {
    free_frame(block, 300);
    reused = allocate_frame(300);
    free_frame(reused, 300);
  }).join();
  if (frame_pool_enabled()) {
    EXPECT_EQ(reused, block);
  }
}

Awaitable<std::string> leaf(int depth) {
  std::string text(static_cast<std::size_t>(depth % 7) * 100, 'x');  // frames of several sizes
  co_return std::to_string(depth) + ":" + std::to_string(text.size());
}

Awaitable<int> chain(int depth) {
  if (depth == 0) co_return 0;
  const std::string text = co_await leaf(depth);
  const int below = co_await chain(depth - 1);
  co_return below + static_cast<int>(text.size());
}

TEST(FramePool, NestedCoroutinesOnAnIoContextRunToTheirResults) {
  asio::io_context io;
  int expected = 0;
  for (int depth = 1; depth <= 50; ++depth) {
    expected +=
        static_cast<int>((std::to_string(depth) + ":" + std::to_string((depth % 7) * 100)).size());
  }
  int results = 0;
  for (int i = 0; i < 100; ++i) {
    asio::co_spawn(
        io.get_executor(),
        [&]() -> Awaitable<void> {
          const int got = co_await chain(50);
          EXPECT_EQ(got, expected);
          ++results;
        },
        asio::detached);
  }
  io.run();
  EXPECT_EQ(results, 100);
}

}  // namespace
}  // namespace flotilla::net
