#include "gateway/downstream.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>

namespace flotilla::gateway {
namespace {

// Dotted quad into `out` (at least 15 bytes); inet_ntop goes through printf, once per request.
std::size_t format_ipv4(const unsigned char* address, char* out) noexcept {
  char* p = out;
  for (int i = 0; i < 4; ++i) {
    unsigned value = address[i];
    if (value >= 100) *p++ = static_cast<char>('0' + value / 100);
    if (value >= 10) *p++ = static_cast<char>('0' + value / 10 % 10);
    *p++ = static_cast<char>('0' + value % 10);
    if (i < 3) *p++ = '.';
  }
  return static_cast<std::size_t>(p - out);
}

}  // namespace

Downstream::Downstream(net::Socket socket, const asio::ip::tcp::endpoint& peer) noexcept
    : stream_(std::move(socket)) {
  const asio::ip::address address = peer.address();
  if (address.is_v6()) {
    const auto bytes = address.to_v6().to_bytes();
    std::memcpy(peer_address_.data(), bytes.data(), bytes.size());
    peer_v6_ = true;
  } else {
    const auto bytes = address.to_v4().to_bytes();
    std::memcpy(peer_address_.data(), bytes.data(), bytes.size());
  }
}

net::Awaitable<tls::IoResult> Downstream::read_some(asio::mutable_buffer buffer,
                                                    std::chrono::milliseconds timeout) {
  read_deadline_.expires_after(timeout);
  const tls::IoResult result = co_await stream_.read_some(buffer);
  read_deadline_.disarm();
  co_return result;
}

net::Awaitable<tls::IoResult> Downstream::write(std::span<const asio::const_buffer> buffers,
                                                std::chrono::milliseconds timeout) {
  write_deadline_.expires_after(timeout);
  const tls::IoResult result = co_await stream_.write(buffers);
  write_deadline_.disarm();
  co_return result;
}

net::Awaitable<tls::IoResult> Downstream::write(std::string_view bytes,
                                                std::chrono::milliseconds timeout) {
  write_deadline_.expires_after(timeout);
  const tls::IoResult result =
      co_await stream_.write(asio::const_buffer(bytes.data(), bytes.size()));
  write_deadline_.disarm();
  co_return result;
}

void Downstream::expire(std::chrono::steady_clock::time_point now) noexcept {
  if (read_deadline_.due(now)) read_deadline_.mark_expired();
  if (write_deadline_.due(now)) write_deadline_.mark_expired();
  stream_.close();
}

std::size_t Downstream::format_peer(std::span<char> out) const noexcept {
  if (!peer_v6_) return format_ipv4(peer_address_.data(), out.data());
  const char* text =
      ::inet_ntop(AF_INET6, peer_address_.data(), out.data(), static_cast<socklen_t>(out.size()));
  return text ? std::strlen(text) : 0;
}

}  // namespace flotilla::gateway
