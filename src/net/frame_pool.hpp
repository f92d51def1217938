// Coroutine frames of the data plane from a per-thread pool instead of malloc: every request
// makes several frames (the connection's turn, the proxy, the try, each awaited read and write),
// and asio's own recycling cache keeps at most 16 frames of at most 1020 bytes, so most of them
// went to memalign/free (≈ 14 % of the instructions of a proxied request). Owns the free lists
// (size classes of 64 bytes up to 4 KiB, each capped, so a burst's peak is given back); never
// shares a list between threads and never pools under a sanitizer (ASan must see frame reuse).
#pragma once

#include <coroutine>
#include <cstddef>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

namespace flotilla::net {

// One thread's frame memory; any thread may free a block another allocated (it joins the
// freeing thread's list).
void* allocate_frame(std::size_t size);
void free_frame(void* block, std::size_t size) noexcept;
// False under a sanitizer: every frame then comes from operator new.
bool frame_pool_enabled() noexcept;

// Marks a frame type as pooled (see below); never instantiated.
template <class T>
struct PooledResult;

}  // namespace flotilla::net

// asio's promise type for an awaitable<T> with the frame's memory from the pool above; nothing
// else changes. It has to be an awaitable_frame<U, Executor> itself (awaitable::await_suspend
// takes a coroutine_handle to one), hence a specialisation for the marker type that derives
// from the real one.
template <class T>
class asio::detail::awaitable_frame<flotilla::net::PooledResult<T>, asio::io_context::executor_type>
    : public asio::detail::awaitable_frame<T, asio::io_context::executor_type> {
 public:
  static void* operator new(std::size_t size) { return flotilla::net::allocate_frame(size); }
  static void operator delete(void* block, std::size_t size) noexcept {
    flotilla::net::free_frame(block, size);
  }
};

// For every coroutine returning an awaitable on an io_context executor (the data plane's, and
// asio's own helpers on it): a more specialised match than asio's generic coroutine_traits.
template <class T, class... Args>
struct std::coroutine_traits<asio::awaitable<T, asio::io_context::executor_type>, Args...> {
  using promise_type = asio::detail::awaitable_frame<flotilla::net::PooledResult<T>,
                                                     asio::io_context::executor_type>;
  using real_frame = asio::detail::awaitable_frame<T, asio::io_context::executor_type>;
  static_assert(sizeof(promise_type) == sizeof(real_frame) &&
                alignof(promise_type) == alignof(real_frame));
};
