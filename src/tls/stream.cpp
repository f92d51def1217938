// Plain connections use Asio's own reactor operations with no coroutine frame of ours (each
// returns Asio's awaitable as is), so the clear-text path pays nothing for the seam; TLS ones
// drive a tls::Connection and wait on the socket only when OpenSSL asks to.
#include "tls/stream.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <asio/write.hpp>

namespace flotilla::tls {
namespace {

std::error_code step_error(const Step& step) {
  if (step.error) return step.error;
  if (step.eof) return asio::error::eof;
  return {};
}

}  // namespace

Stream::Stream(net::Socket socket) noexcept : socket_(std::move(socket)) {}

Stream::~Stream() = default;

std::error_code Stream::start_server(const ServerContext& context) {
  std::error_code error;
  // OpenSSL reads and writes the fd itself. (An accepted socket is non-blocking already: one
  // FIONBIO ioctl per connection, not two.)
  if (!socket_.non_blocking()) socket_.non_blocking(true, error);
  if (error) return error;
  tls_ = Connection::server(context, socket_.native_handle(), error);
  return error;
}

std::error_code Stream::start_client(const ClientContext& context, std::string_view server_name,
                                     SSL_SESSION* resume) {
  std::error_code error;
  if (!socket_.non_blocking()) socket_.non_blocking(true, error);
  if (error) return error;
  tls_ = Connection::client(context, socket_.native_handle(), server_name, resume, error);
  return error;
}

net::Awaitable<std::error_code> Stream::handshake() {
  for (;;) {
    const Step step = tls_->handshake();
    if (step.want == Want::kNone) co_return step_error(step);
    const std::error_code waited = co_await wait(step.want);
    if (waited) co_return waited;
  }
}

net::Awaitable<std::error_code> Stream::wait(Want want) {
  auto [error] = co_await socket_.async_wait(
      want == Want::kWrite ? asio::socket_base::wait_write : asio::socket_base::wait_read,
      net::use_nothrow_io);
  co_return error;
}

std::size_t Stream::read_now(asio::mutable_buffer buffer, std::error_code& error) {
  if (!tls_) return socket_.read_some(buffer, error);
  const Step step = tls_->read(buffer.data(), buffer.size());
  if (step.bytes > 0) {
    error.clear();
    return step.bytes;
  }
  error = step.want != Want::kNone ? std::error_code(asio::error::would_block) : step_error(step);
  return 0;
}

net::Awaitable<IoResult> Stream::read_some(asio::mutable_buffer buffer) {
  if (!tls_) return socket_.async_read_some(buffer, net::use_nothrow_io);
  return tls_read_some(buffer);
}

net::Awaitable<IoResult> Stream::tls_read_some(asio::mutable_buffer buffer) {
  for (;;) {
    const Step step = tls_->read(buffer.data(), buffer.size());
    if (step.bytes > 0) co_return IoResult{std::error_code{}, step.bytes};
    if (step.want == Want::kNone) co_return IoResult{step_error(step), 0};
    const std::error_code waited = co_await wait(step.want);
    if (waited) co_return IoResult{waited, 0};
  }
}

net::Awaitable<IoResult> Stream::write(std::span<const asio::const_buffer> buffers) {
  if (!tls_) return asio::async_write(socket_, buffers, net::use_nothrow_io);
  return tls_write(buffers);
}

net::Awaitable<IoResult> Stream::write(asio::const_buffer buffer) {
  // async_write keeps its own copy of the buffer; tls_write reads its span only when first
  // resumed, after this function returned, so TLS goes through a frame that owns the buffer.
  if (!tls_) return asio::async_write(socket_, buffer, net::use_nothrow_io);
  return tls_write_one(buffer);
}

net::Awaitable<IoResult> Stream::tls_write_one(asio::const_buffer buffer) {
  const IoResult result = co_await tls_write(std::span<const asio::const_buffer>(&buffer, 1));
  co_return result;
}

std::size_t Stream::write_now(std::span<const asio::const_buffer> buffers, std::error_code& error) {
  if (tls_ || !socket_.non_blocking()) {
    error = asio::error::would_block;
    return 0;
  }
  return socket_.write_some(buffers, error);
}

net::Awaitable<IoResult> Stream::send_file(int fd, std::uint64_t offset, std::uint64_t count) {
  if (tls_) co_return IoResult{std::make_error_code(std::errc::operation_not_supported), 0};
  std::uint64_t sent = 0;
  while (sent < count) {
    off_t at = static_cast<off_t>(offset + sent);
    // At most 1 GiB a call (Linux caps one sendfile at 0x7ffff000 bytes anyway).
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(count - sent, 1u << 30));
    const ssize_t n = ::sendfile(socket_.native_handle(), fd, &at, want);
    if (n > 0) {
      sent += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n == 0) co_return IoResult{asio::error::eof, sent};  // the file is shorter than said
    if (errno == EINTR) continue;
    if (errno != EAGAIN) co_return IoResult{std::error_code(errno, std::system_category()), sent};
    const std::error_code error = co_await wait(Want::kWrite);
    if (error) co_return IoResult{error, sent};
  }
  co_return IoResult{std::error_code{}, sent};
}

net::Awaitable<IoResult> Stream::write_rest(std::span<const asio::const_buffer> buffers,
                                            std::size_t written) {
  if (written == 0) co_return co_await write(buffers);
  const std::size_t total = asio::buffer_size(buffers);
  // The pieces after `written`, a bounded number at a time (no allocation).
  std::array<asio::const_buffer, 16> rest;
  while (written < total) {
    std::size_t skip = written;
    std::size_t count = 0;
    for (const asio::const_buffer& buffer : buffers) {
      if (count == rest.size()) break;
      if (skip >= buffer.size()) {
        skip -= buffer.size();
        continue;
      }
      rest[count++] = buffer + skip;
      skip = 0;
    }
    auto [error, n] = co_await write(std::span<const asio::const_buffer>(rest.data(), count));
    written += n;
    if (error) co_return IoResult{error, written};
  }
  co_return IoResult{std::error_code{}, written};
}

net::Awaitable<std::error_code> Stream::tls_write_all(const char* data, std::size_t size) {
  while (size > 0) {
    const Step step = tls_->write(data, size);
    if (step.bytes > 0) {
      data += step.bytes;
      size -= step.bytes;
      continue;
    }
    if (step.want == Want::kNone) co_return step.error ? step.error : asio::error::broken_pipe;
    const std::error_code waited = co_await wait(step.want);
    if (waited) co_return waited;
  }
  co_return std::error_code{};
}

// A response is a head, framing lines and body pieces: written one SSL_write each, every small
// piece would be a record of its own (22 bytes of overhead, and an encryption call, per piece).
// Pieces are gathered into records of up to 16 KiB; a piece that fills a record goes as it is.
net::Awaitable<IoResult> Stream::tls_write(std::span<const asio::const_buffer> buffers) {
  std::array<char, kRecordSize> record;
  std::size_t gathered = 0;
  std::size_t total = 0;
  for (const asio::const_buffer& buffer : buffers) {
    const char* data = static_cast<const char*>(buffer.data());
    std::size_t size = buffer.size();
    total += size;
    while (size > 0) {
      if (gathered == 0 && size >= kRecordSize) {
        const std::size_t whole = size - size % kRecordSize;
        const std::error_code error = co_await tls_write_all(data, whole);
        if (error) co_return IoResult{error, 0};
        data += whole;
        size -= whole;
        continue;
      }
      const std::size_t take = std::min(size, kRecordSize - gathered);
      std::memcpy(record.data() + gathered, data, take);
      gathered += take;
      data += take;
      size -= take;
      if (gathered == kRecordSize) {
        const std::error_code error = co_await tls_write_all(record.data(), gathered);
        if (error) co_return IoResult{error, 0};
        gathered = 0;
      }
    }
  }
  if (gathered > 0) {
    const std::error_code error = co_await tls_write_all(record.data(), gathered);
    if (error) co_return IoResult{error, 0};
  }
  co_return IoResult{std::error_code{}, total};
}

bool Stream::peer_closed() const noexcept {
  const int fd = const_cast<net::Socket&>(socket_).native_handle();
  if (fd < 0) return true;
  if (tls_ && tls_->has_pending()) return false;
  // Bytes waiting (a pipelined request, a TLS record) mean the client is still there, as in
  // nginx's check_broken_connection; only EOF or an error means it left.
  char probe;
  const ssize_t n = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  return !(n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)));
}

void Stream::shutdown_send() noexcept {
  if (tls_ && tls_->established()) tls_->shutdown();  // best effort: never waits
  std::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_send, ignored);
}

void Stream::close() noexcept {
  if (tls_ && tls_->established() && socket_.is_open()) tls_->shutdown();
  std::error_code ignored;
  socket_.close(ignored);
}

}  // namespace flotilla::tls
