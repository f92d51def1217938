#include "gateway/proxy/upstream_connection.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace flotilla::gateway {
namespace {

http::Limits upstream_limits() {
  http::Limits limits;
  limits.max_request_line = 8 * 1024;
  limits.max_header_bytes = 16 * 1024;  // Set-Cookie-heavy responses are common upstream
  limits.max_headers = 100;
  return limits;
}

}  // namespace

UpstreamConnection::UpstreamConnection(net::Socket socket, const asio::ip::tcp::endpoint& endpoint)
    : stream_(std::move(socket)),
      endpoint_(endpoint),
      watchdog_(stream_.socket().get_executor(), CloseStream{&stream_}),
      parser_(upstream_limits()),
      buffer_(std::make_unique_for_overwrite<char[]>(kBufferSize)) {}

bool UpstreamConnection::serves(const tls::ClientContext* tls,
                                std::string_view name) const noexcept {
  const tls::Connection* session = stream_.tls();
  if (tls == nullptr) return session == nullptr;
  return session != nullptr && session->made_with(*tls) && tls_name_ == name;
}

bool UpstreamConnection::looks_reusable() noexcept {
  if (!stream_.is_open() || buffered_ != 0) return false;
  if (stream_.secure()) {
    // Records may wait that carry no data (a late TLS 1.3 session ticket): a read that finds
    // nothing to hand out says the connection is clean; data, an alert or EOF say it is not.
    char byte;
    std::error_code error;
    const std::size_t n = stream_.read_now(asio::buffer(&byte, 1), error);
    return n == 0 && error == asio::error::would_block;
  }
  char probe;
  const ssize_t n = ::recv(stream_.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace flotilla::gateway
