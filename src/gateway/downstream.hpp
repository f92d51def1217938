// The client side's transport, whatever codec reads it (HTTP/1 today, HTTP/2 next): the stream
// (plain or TLS), separate read and write deadlines enforced by the worker's sweep, and the
// peer's facts. Nothing above it touches the socket; it never parses HTTP.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include <asio/ip/tcp.hpp>

#include "net/async.hpp"
#include "net/ip_address.hpp"
#include "net/swept_deadline.hpp"
#include "tls/stream.hpp"

namespace flotilla::gateway {

class Downstream {
 public:
  Downstream(net::Socket socket, const asio::ip::tcp::endpoint& peer) noexcept;

  tls::Stream& stream() noexcept { return stream_; }

  // Reads at least one byte, or fails; the read deadline covers the wait (0: no deadline).
  net::Awaitable<tls::IoResult> read_some(asio::mutable_buffer buffer,
                                          std::chrono::milliseconds timeout);
  // Writes everything; the write deadline covers the whole write (0: no deadline).
  net::Awaitable<tls::IoResult> write(std::span<const asio::const_buffer> buffers,
                                      std::chrono::milliseconds timeout);
  net::Awaitable<tls::IoResult> write(std::string_view bytes, std::chrono::milliseconds timeout);

  net::SweptDeadline& read_deadline() noexcept { return read_deadline_; }
  net::SweptDeadline& write_deadline() noexcept { return write_deadline_; }
  // A deadline passed (the sweep closed the stream): the last failure was a timeout.
  bool timed_out() const noexcept { return read_deadline_.expired() || write_deadline_.expired(); }

  // For the sweep: either deadline is due.
  bool due(std::chrono::steady_clock::time_point now) const noexcept {
    return read_deadline_.due(now) || write_deadline_.due(now);
  }
  // Marks the due deadlines expired and closes the stream, which ends whatever waits on it.
  void expire(std::chrono::steady_clock::time_point now) noexcept;

  // The peer's address as text into `out` (at least 46 bytes); returns its length.
  std::size_t format_peer(std::span<char> out) const noexcept { return peer_.format(out); }
  // The connection's source: the TCP peer, or the address a PROXY protocol header carried.
  const net::IpAddress& peer() const noexcept { return peer_; }
  void set_peer(const net::IpAddress& address) noexcept { peer_ = address; }
  bool secure() const noexcept { return stream_.secure(); }
  const tls::Connection* tls() const noexcept { return stream_.tls(); }
  std::string_view scheme() const noexcept { return secure() ? "https" : "http"; }

 private:
  tls::Stream stream_;
  net::SweptDeadline read_deadline_;
  net::SweptDeadline write_deadline_;
  net::IpAddress peer_;
};

}  // namespace flotilla::gateway
