#include "gateway/downstream.hpp"

namespace flotilla::gateway {

Downstream::Downstream(net::Socket socket, const asio::ip::tcp::endpoint& peer) noexcept
    : stream_(std::move(socket)) {
  const asio::ip::address address = peer.address();
  if (address.is_v6()) {
    peer_ = net::IpAddress::v6_from(address.to_v6().to_bytes().data());
  } else {
    peer_ = net::IpAddress::v4_from(address.to_v4().to_bytes().data());
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

}  // namespace flotilla::gateway
