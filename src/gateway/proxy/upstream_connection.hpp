// One connection to an upstream endpoint: its stream (plain or TLS), its own read buffer and
// response parser, and the bookkeeping keep-alive reuse needs. Owned by one request at a time,
// or idle in the pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <asio/ip/tcp.hpp>

#include "http/response_parser.hpp"
#include "net/coarse_clock.hpp"
#include "net/socket.hpp"
#include "net/watchdog.hpp"
#include "tls/stream.hpp"

namespace flotilla::gateway {

class UpstreamConnection {
 public:
  static constexpr std::size_t kBufferSize = 32 * 1024;
  struct CloseStream {
    tls::Stream* stream;
    void operator()() const noexcept { stream->close(); }
  };
  using Watchdog = net::Watchdog<net::Executor, CloseStream>;

  UpstreamConnection(net::Socket socket, const asio::ip::tcp::endpoint& endpoint);
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  tls::Stream& stream() noexcept { return stream_; }
  Watchdog& watchdog() noexcept { return watchdog_; }
  http::ResponseParser& parser() noexcept { return parser_; }
  const asio::ip::tcp::endpoint& endpoint() const noexcept { return endpoint_; }

  char* buffer() noexcept { return buffer_.get(); }
  std::size_t& buffered() noexcept { return buffered_; }  // bytes in buffer() not consumed yet

  std::uint32_t requests() const noexcept { return requests_; }
  void count_request() noexcept { ++requests_; }
  bool reused() const noexcept { return requests_ > 1; }

  // Idle in the pool until this instant (the upstream's keepalive_timeout).
  std::chrono::steady_clock::time_point idle_deadline() const noexcept { return idle_deadline_; }
  void mark_idle(std::chrono::steady_clock::duration timeout) noexcept {
    idle_since_ = net::coarse_now();
    idle_deadline_ = idle_since_ + timeout;
  }
  std::chrono::steady_clock::duration idle_for(
      std::chrono::steady_clock::time_point now) const noexcept {
    return now - idle_since_;
  }

  // Cheap liveness check before reuse: a pooled connection the peer closed, or one with
  // unsolicited bytes pending, must not carry a request (MSG_PEEK, never blocks).
  bool looks_reusable() noexcept;

  // The name TLS was started with (SNI and the name verified), kept to match reuse.
  void set_tls_name(std::string_view name) { tls_name_.assign(name); }
  // Whether this connection can carry a request of an upstream with `tls` (null: plain) and
  // that name: the same address under another upstream's CA, client certificate or SNI is
  // another server as far as trust goes, and must not inherit this one's session.
  bool serves(const tls::ClientContext* tls, std::string_view name) const noexcept;

 private:
  tls::Stream stream_;
  asio::ip::tcp::endpoint endpoint_;
  Watchdog watchdog_;
  http::ResponseParser parser_;
  std::unique_ptr<char[]> buffer_;
  std::size_t buffered_ = 0;
  std::uint32_t requests_ = 0;
  std::string tls_name_;
  std::chrono::steady_clock::time_point idle_since_{};
  std::chrono::steady_clock::time_point idle_deadline_{};
};

}  // namespace flotilla::gateway
