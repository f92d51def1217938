// The clear-text half of tls::Stream: Asio's own reactor operations, with no coroutine frame of
// ours (each returns Asio's awaitable as is), so a plain connection pays nothing for the seam.
#include "tls/stream.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <asio/write.hpp>

namespace flotilla::tls {

Stream::Stream(net::Socket socket) noexcept : socket_(std::move(socket)) {}

std::size_t Stream::read_now(asio::mutable_buffer buffer, std::error_code& error) {
  return socket_.read_some(buffer, error);
}

net::Awaitable<IoResult> Stream::read_some(asio::mutable_buffer buffer) {
  return socket_.async_read_some(buffer, net::use_nothrow_io);
}

net::Awaitable<IoResult> Stream::write(std::span<const asio::const_buffer> buffers) {
  return asio::async_write(socket_, buffers, net::use_nothrow_io);
}

net::Awaitable<IoResult> Stream::write(asio::const_buffer buffer) {
  return asio::async_write(socket_, buffer, net::use_nothrow_io);
}

bool Stream::peer_closed() const noexcept {
  const int fd = const_cast<net::Socket&>(socket_).native_handle();
  if (fd < 0) return true;
  // In the clear, bytes waiting (a pipelined request) mean the client is still there, as in
  // nginx's check_broken_connection; only EOF or an error means it left.
  char probe;
  const ssize_t n = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  return !(n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)));
}

void Stream::shutdown_send() noexcept {
  std::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_send, ignored);
}

void Stream::close() noexcept {
  std::error_code ignored;
  socket_.close(ignored);
}

}  // namespace flotilla::tls
