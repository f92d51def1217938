// The per-thread coroutine frame pool of frame_pool.hpp: intrusive free lists per 64-byte size
// class, each holding at most kKeepBytes (at least kKeepBlocks blocks). Never locks.
#include "net/frame_pool.hpp"

#include <array>
#include <cstdint>
#include <new>
#include <utility>

namespace flotilla::net {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kPool = false;
#else
constexpr bool kPool = true;
#endif

constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 64;  // frames up to 4 KiB; larger ones go to operator new
constexpr std::size_t kKeepBytes = 64 * 1024;
constexpr std::uint32_t kKeepBlocks = 16;

struct FreeBlock {
  FreeBlock* next;
};

struct SizeClass {
  FreeBlock* head = nullptr;
  std::uint32_t count = 0;
};

struct ThreadPool {
  std::array<SizeClass, kClasses> classes{};
  bool closed = false;  // the thread is ending: frames freed from now on go back to the heap
  ~ThreadPool() {
    closed = true;
    for (auto& c : classes) {
      while (c.head) ::operator delete(std::exchange(c.head, c.head->next));
    }
  }
};

thread_local ThreadPool t_pool;

constexpr std::size_t class_of(std::size_t size) noexcept {
  return (size - 1) / kGranule;
}

constexpr std::uint32_t keep_limit(std::size_t index) noexcept {
  const std::size_t by_bytes = kKeepBytes / ((index + 1) * kGranule);
  return by_bytes > kKeepBlocks ? static_cast<std::uint32_t>(by_bytes) : kKeepBlocks;
}

}  // namespace

bool frame_pool_enabled() noexcept {
  return kPool;
}

void* allocate_frame(std::size_t size) {
  const std::size_t index = class_of(size);
  if (!kPool || index >= kClasses) return ::operator new(size);
  SizeClass& c = t_pool.classes[index];
  if (c.head) {
    --c.count;
    return std::exchange(c.head, c.head->next);
  }
  return ::operator new((index + 1) * kGranule);
}

void free_frame(void* block, std::size_t size) noexcept {
  const std::size_t index = class_of(size);
  if (!kPool || index >= kClasses) return ::operator delete(block);
  SizeClass& c = t_pool.classes[index];
  if (c.count >= keep_limit(index) || t_pool.closed) return ::operator delete(block);
  c.head = new (block) FreeBlock{c.head};
  ++c.count;
}

}  // namespace flotilla::net
