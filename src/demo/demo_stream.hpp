// One demo connection's bytes: the socket, its read buffer, I/O deadlines and the stop request.
// Owns buffering and timeouts only; must never parse HTTP or decide what to answer.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio.hpp>

namespace flotilla::demo {

// Waiting for the next request on a kept-alive connection (or the next WebSocket frame). Longer
// than typical proxy pool idle timeouts, so the proxy, not the app, closes idle connections.
inline constexpr std::chrono::seconds kIdleTimeout{120};
// A started request (head, body) or a response write must progress within this.
inline constexpr std::chrono::seconds kIoTimeout{60};

class DemoStream {
 public:
  using Clock = std::chrono::steady_clock;

  explicit DemoStream(asio::ip::tcp::socket socket, std::size_t buffer_size = 64 * 1024);

  asio::ip::tcp::socket& socket() noexcept { return socket_; }

  // Bytes received and not consumed yet; valid until the next read_more().
  std::string_view buffered() const noexcept { return {buffer_.data() + begin_, end_ - begin_}; }
  std::span<char> buffered_mutable() noexcept { return {buffer_.data() + begin_, end_ - begin_}; }
  void consume(std::size_t n) noexcept;

  // Receives more bytes after the buffered ones (moving those to the front first). Fails on EOF,
  // on error, when `timeout` passes (the watchdog ends the connection), when the buffer is full,
  // or when cancelled by request_stop() while idle.
  asio::awaitable<std::error_code> read_more(Clock::duration timeout = kIoTimeout);
  // Writes all of `buffers` (a gather write) within kIoTimeout.
  asio::awaitable<std::error_code> write(std::span<const asio::const_buffer> buffers);
  asio::awaitable<std::error_code> write(std::string_view bytes);

  // Run beside the connection's work as `co_await (work() || stream.watchdog())`: completes
  // when a pending read or write outlives its deadline, which cancels the work.
  asio::awaitable<void> watchdog();

  // Idle: between requests, or between WebSocket frames. Only idle reads are cut by a stop.
  void set_idle(bool idle) noexcept { idle_ = idle; }
  bool stopping() const noexcept { return stopping_; }
  // Graceful shutdown (must run on the connection's executor): no new request starts; a pending
  // idle read is cancelled at once, a request in flight finishes first.
  void request_stop();

  // Closes without waiting: after an error, a timeout, or the peer's own close.
  void close() noexcept;
  // Closes after a response that said `Connection: close`: FIN first, then discard what the peer
  // still sends for a short while, so unread request bytes do not turn the close into a reset
  // that could destroy the response before the peer reads it (nginx's lingering close).
  asio::awaitable<void> linger_close();

 private:
  void arm(Clock::duration timeout) noexcept { deadline_ = Clock::now() + timeout; }
  void disarm() noexcept { deadline_ = Clock::time_point::max(); }

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool idle_ = false;
  bool stopping_ = false;
};

}  // namespace flotilla::demo
