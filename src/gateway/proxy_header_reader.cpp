#include "gateway/proxy_header_reader.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace flotilla::gateway {
namespace {

using ProxyStatus = net::ProxyHeader::Status;

net::ProxyHeader proxy_read_failed(std::string_view problem) {
  net::ProxyHeader out;
  out.status = ProxyStatus::kInvalid;
  out.problem = problem;
  return out;
}

// recv(2) without blocking: bytes, 0 at EOF, -1 with EAGAIN when nothing is there yet.
ssize_t recv_now(int fd, std::uint8_t* into, std::size_t size, int flags) {
  for (;;) {
    const ssize_t n = ::recv(fd, into, size, flags | MSG_DONTWAIT);
    if (n >= 0 || errno != EINTR) return n;
  }
}

}  // namespace

net::Awaitable<net::ProxyHeader> read_proxy_header(net::Socket& socket) {
  std::array<std::uint8_t, net::kProxyV2MaxSize> buffer;
  std::size_t have = 0;
  const int fd = socket.native_handle();
  for (;;) {
    const net::ProxyHeader header = net::parse_proxy_header({buffer.data(), have});
    if (header.status != ProxyStatus::kNeedMore) co_return header;
    ssize_t n = 0;
    if (header.need == 0) {
      // v1: look ahead for the CRLF; take the bytes through it, or all seen (none is past it).
      n = recv_now(fd, buffer.data() + have, net::kProxyV1MaxSize - have, MSG_PEEK);
      if (n > 0) {
        const std::string_view seen(reinterpret_cast<const char*>(buffer.data()),
                                    have + static_cast<std::size_t>(n));
        const std::size_t lf = seen.find('\n', have > 0 ? have - 1 : 0);
        const std::size_t take =
            lf == std::string_view::npos ? static_cast<std::size_t>(n) : lf + 1 - have;
        n = recv_now(fd, buffer.data() + have, take, 0);
      }
    } else {
      n = recv_now(fd, buffer.data() + have, header.need - have, 0);
    }
    if (n == 0) co_return proxy_read_failed("the connection closed before its PROXY header ended");
    if (n > 0) {
      have += static_cast<std::size_t>(n);
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      co_return proxy_read_failed("reading the PROXY header failed");
    // Nothing yet: wait (the read deadline's sweep closes the socket, which ends the wait).
    auto [ec] = co_await socket.async_wait(net::Socket::wait_read, net::use_nothrow_io);
    if (ec) co_return proxy_read_failed("no PROXY header before the deadline");
  }
}

}  // namespace flotilla::gateway
