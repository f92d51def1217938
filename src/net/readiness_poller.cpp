#include "net/readiness_poller.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace flotilla::net {
namespace {

constexpr int kBatch = 128;

}  // namespace

ReadinessPoller::ReadinessPoller(asio::io_context& context) : set_(context.get_executor()) {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  set_.assign(fd);
  arm();
}

ReadinessPoller::Token ReadinessPoller::watch(int fd, Target* target, std::error_code& error) {
  std::uint32_t index;
  if (!free_slots_.empty()) {
    index = free_slots_.back();
    free_slots_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[index];
  slot.target = target;
  const Token token = (static_cast<Token>(index) << 32) | slot.generation;
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  event.data.u64 = token;
  if (::epoll_ctl(set_.native_handle(), EPOLL_CTL_ADD, fd, &event) != 0) {
    error.assign(errno, std::generic_category());
    forget(token);
    return kNoToken;
  }
  return token;
}

void ReadinessPoller::forget(Token token) noexcept {
  if (token == kNoToken) return;
  const auto index = static_cast<std::uint32_t>(token >> 32);
  Slot& slot = slots_[index];
  if (slot.generation != static_cast<std::uint32_t>(token)) return;
  slot.target = nullptr;
  if (++slot.generation == 0) slot.generation = 1;  // 0 would make kNoToken a valid token
  free_slots_.push_back(index);
}

void ReadinessPoller::close() {
  std::error_code ignored;
  set_.close(ignored);
}

void ReadinessPoller::arm() {
  set_.async_wait(asio::posix::descriptor_base::wait_read, [this](std::error_code ec) {
    if (ec) return;  // closed: `this` may be gone
    poll();
    arm();
  });
}

void ReadinessPoller::poll() {
  std::array<epoll_event, kBatch> events;
  for (;;) {
    const int n = ::epoll_wait(set_.native_handle(), events.data(), kBatch, 0);
    if (n <= 0) return;
    // on_readable() may start a connection's coroutine (which may end it, and forget its
    // watch) but never touches another connection's watch, so each event is checked as it
    // comes.
    for (int i = 0; i < n; ++i) {
      const Token token = events[i].data.u64;
      const Slot& slot = slots_[static_cast<std::uint32_t>(token >> 32)];
      if (slot.generation == static_cast<std::uint32_t>(token) && slot.target) {
        slot.target->on_readable();
      }
    }
    if (n < kBatch) return;
  }
}

}  // namespace flotilla::net
