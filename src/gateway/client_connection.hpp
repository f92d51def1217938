// What a worker knows of a client connection, whatever protocol it speaks (HTTP/1 today, HTTP/2
// next): linked in the worker's idle or busy list, woken by the worker's readiness poller,
// checked by the worker's sweep. Never does I/O itself; the protocol's connection does.
#pragma once

#include <chrono>
#include <cstdint>

#include "net/intrusive_list.hpp"
#include "net/readiness_poller.hpp"

namespace flotilla::gateway {

class ClientConnection : public net::ListHook, public net::ReadinessPoller::Target {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit ClientConnection(std::uint32_t listener_index) noexcept
      : listener_index_(listener_index) {}
  virtual ~ClientConnection() = default;

  std::uint32_t listener_index() const noexcept { return listener_index_; }

  // A parked connection: its idle deadline passed. A busy one: a read or write deadline did.
  virtual bool due(TimePoint now) const noexcept = 0;
  // From the sweep, for a busy connection that is due: closing its stream ends whatever waits
  // on it, and the connection then ends itself.
  virtual void expire(TimePoint now) noexcept = 0;
  // From the sweep, for a busy connection: whether a client that waits for the upstream is
  // still there (nginx's check_broken_connection).
  virtual void check_client() noexcept = 0;
  // Parked → busy: the connection's coroutine starts (or, while draining, it ends).
  virtual void resume() = 0;

 private:
  std::uint32_t listener_index_;
};

}  // namespace flotilla::gateway
