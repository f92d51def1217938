// Room for one pending asynchronous operation inside the object that starts it, handed to Asio
// through the handler's associated allocator: a connection parked on a wait then costs no heap
// block of its own (Asio's recycling allocator would hand it whatever cached block is large
// enough). Larger or concurrent requests fall back to the heap. Single-threaded.
#pragma once

#include <cstddef>
#include <new>

namespace flotilla::net {

template <std::size_t Size>
class InlineHandlerMemory {
 public:
  InlineHandlerMemory() = default;
  InlineHandlerMemory(const InlineHandlerMemory&) = delete;
  InlineHandlerMemory& operator=(const InlineHandlerMemory&) = delete;

  void* allocate(std::size_t size) {
    if (!in_use_ && size <= Size) {
      in_use_ = true;
      return storage_;
    }
    return ::operator new(size);
  }
  void deallocate(void* pointer) noexcept {
    if (pointer == storage_) {
      in_use_ = false;
    } else {
      ::operator delete(pointer);
    }
  }

 private:
  alignas(std::max_align_t) unsigned char storage_[Size];
  bool in_use_ = false;
};

template <class T, std::size_t Size>
class InlineHandlerAllocator {
 public:
  using value_type = T;
  template <class U>
  struct rebind {
    using other = InlineHandlerAllocator<U, Size>;
  };

  explicit InlineHandlerAllocator(InlineHandlerMemory<Size>& memory) noexcept : memory_(&memory) {}
  template <class U>
  InlineHandlerAllocator(const InlineHandlerAllocator<U, Size>& other) noexcept
      : memory_(other.memory_) {}

  T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(n * sizeof(T))); }
  void deallocate(T* pointer, std::size_t) noexcept { memory_->deallocate(pointer); }

  template <class U>
  bool operator==(const InlineHandlerAllocator<U, Size>& other) const noexcept {
    return memory_ == other.memory_;
  }

 private:
  template <class U, std::size_t>
  friend class InlineHandlerAllocator;
  InlineHandlerMemory<Size>* memory_;
};

}  // namespace flotilla::net
