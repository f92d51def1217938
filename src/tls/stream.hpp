// A connected TCP socket on a worker's executor, in the clear or through a tls::Connection: the
// one place the data plane reads and writes bytes, on both sides of the proxy. Owns the socket
// and the TLS session; knows no HTTP and never blocks (non-blocking fds, Asio readiness waits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>
#include <tuple>

#include <asio/buffer.hpp>

#include "net/async.hpp"
#include "net/socket.hpp"
#include "tls/connection.hpp"

namespace flotilla::tls {

// (error, bytes), as Asio's own completions give them.
using IoResult = std::tuple<std::error_code, std::size_t>;

// Application data per TLS record when small pieces are gathered (the TLS maximum).
inline constexpr std::size_t kRecordSize = 16 * 1024;

class Stream {
 public:
  explicit Stream(net::Socket socket) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream();

  // Puts TLS on the connection (before any byte was read or written); then handshake().
  std::error_code start_server(const ServerContext& context);
  std::error_code start_client(const ClientContext& context, std::string_view server_name,
                               SSL_SESSION* resume);
  // Runs the handshake to its end (the caller bounds it: closing the stream ends the wait).
  net::Awaitable<std::error_code> handshake();

  bool secure() const noexcept { return tls_ != nullptr; }
  // The TLS session's facts (version, cipher, SNI, ALPN, peer certificate), or null in the clear.
  const Connection* tls() const noexcept { return tls_.get(); }

  // A read that does not wait: bytes, else `asio::error::would_block` (or EOF, or an error).
  std::size_t read_now(asio::mutable_buffer buffer, std::error_code& error);
  // Reads at least one byte (or fails: EOF is asio::error::eof).
  net::Awaitable<IoResult> read_some(asio::mutable_buffer buffer);
  // Writes every byte of every buffer, in order; over TLS small pieces are gathered into records.
  net::Awaitable<IoResult> write(std::span<const asio::const_buffer> buffers);
  net::Awaitable<IoResult> write(asio::const_buffer buffer);
  // A write that does not wait, for the clear-text hot path: the bytes the socket took from the
  // front of `buffers` (all of them, some, or none with `asio::error::would_block`). Over TLS,
  // or on a socket not in non-blocking mode, it writes nothing and says would_block. The rest
  // goes with write_rest(); a response that fits the socket's buffer costs no Asio operation.
  std::size_t write_now(std::span<const asio::const_buffer> buffers, std::error_code& error);
  // Writes what follows the first `written` bytes of `buffers`; the result counts them too.
  net::Awaitable<IoResult> write_rest(std::span<const asio::const_buffer> buffers,
                                      std::size_t written);

  // Clear text only: `count` bytes of the file `fd` from `offset` straight from the page cache
  // (sendfile(2)), waiting for the socket whenever it is full; the result counts the bytes sent.
  // Over TLS it sends nothing and says operation_not_supported (the caller reads and writes).
  // A file that shrank under it ends with asio::error::eof.
  net::Awaitable<IoResult> send_file(int fd, std::uint64_t offset, std::uint64_t count);

  // Bytes already taken from the socket and buffered by the TLS session: they never wake a
  // readiness wait, so a reader must look before it parks. Always false in the clear.
  bool has_buffered() const noexcept { return tls_ && tls_->has_pending(); }
  // The peer closed or reset its side (nothing is read; pending bytes mean it is still there).
  bool peer_closed() const noexcept;

  // Ends the sending direction: close_notify over TLS, then the TCP half-close.
  void shutdown_send() noexcept;
  // Closes the socket (after a best-effort close_notify): anything waiting on it completes with
  // an error.
  void close() noexcept;
  bool is_open() const noexcept { return socket_.is_open(); }

  // For the worker's readiness poller and socket options only.
  net::Socket& socket() noexcept { return socket_; }
  int native_handle() noexcept { return socket_.native_handle(); }

 private:
  net::Awaitable<IoResult> tls_read_some(asio::mutable_buffer buffer);
  net::Awaitable<IoResult> tls_write(std::span<const asio::const_buffer> buffers);
  // tls_write of one buffer that this coroutine's frame owns (tls_write reads its span lazily).
  net::Awaitable<IoResult> tls_write_one(asio::const_buffer buffer);
  // Writes `size` bytes as they are (one or more records); waits whenever OpenSSL must.
  net::Awaitable<std::error_code> tls_write_all(const char* data, std::size_t size);
  net::Awaitable<std::error_code> wait(Want want);

  net::Socket socket_;
  std::unique_ptr<Connection> tls_;
};

}  // namespace flotilla::tls
