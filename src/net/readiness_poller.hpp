// An edge-triggered epoll set of a worker's own, for connections parked between requests: a
// parked connection costs no Asio operation, and re-parking it costs no syscall (Asio re-arms
// every readiness wait with an epoll_ctl). The set's own descriptor is watched through Asio, so
// one wake-up serves every connection that became readable. Single-threaded (one worker).
#pragma once

#include <cstdint>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/posix/basic_stream_descriptor.hpp>

#include "net/socket.hpp"

namespace flotilla::net {

class ReadinessPoller {
 public:
  // Told when its descriptor may have become readable (or hung up) since the last time.
  class Target {
   public:
    virtual void on_readable() = 0;

   protected:
    ~Target() = default;
  };
  // Names a watch: a slot and its generation, so an event that arrives for a watch that was
  // dropped meanwhile (the kernel keeps a closed socket in the set while a forked child still
  // holds it) finds a newer generation and is ignored.
  using Token = std::uint64_t;
  static constexpr Token kNoToken = 0;

  explicit ReadinessPoller(asio::io_context& context);
  ReadinessPoller(const ReadinessPoller&) = delete;
  ReadinessPoller& operator=(const ReadinessPoller&) = delete;

  // Adds `fd` (EPOLLIN | EPOLLRDHUP, edge-triggered: readiness already there is reported too).
  Token watch(int fd, Target* target, std::error_code& error);
  // Forgets a watch without a syscall; the kernel drops the descriptor when it is closed.
  void forget(Token token) noexcept;
  // Stops watching the set (shutdown).
  void close();

 private:
  struct Slot {
    Target* target = nullptr;
    std::uint32_t generation = 1;
  };
  void arm();
  void poll();

  asio::posix::basic_stream_descriptor<Executor> set_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace flotilla::net
