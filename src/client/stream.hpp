// The transport seam of the control plane's HTTP client: one byte stream per exchange, opened
// for an Endpoint. Plain TCP, TLS over TCP (https) and unix sockets live in socket_stream.cpp.
// Knows no HTTP.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>

#include "client/endpoint.hpp"

namespace flotilla::tls {
class ClientContext;
}

namespace flotilla::client {

struct IoResult {
  std::error_code error;
  std::size_t bytes = 0;
};

class Stream {
 public:
  virtual ~Stream() = default;

  // Resolves a name, connects (and, for TLS, handshakes). An error as a value.
  virtual asio::awaitable<std::error_code> connect() = 0;
  // Some bytes into `into`; asio::error::eof when the peer has closed.
  virtual asio::awaitable<IoResult> read_some(std::span<char> into) = 0;
  // Every byte of `buffers`, unless an error stops it.
  virtual asio::awaitable<IoResult> write(std::span<const asio::const_buffer> buffers) = 0;
  // Aborts whatever is pending (the exchange's timeout): pending operations complete with an
  // error and later ones fail. Never throws.
  virtual void close() noexcept = 0;
};

// An unconnected stream for `endpoint`; nullptr with `error` when there is no transport for it.
// https: verified with `context` (the host name must be on the certificate), or with the
// system's trust store when it is null.
std::unique_ptr<Stream> make_stream(const asio::any_io_executor& executor, const Endpoint& endpoint,
                                    std::shared_ptr<const tls::ClientContext> context,
                                    std::string& error);

}  // namespace flotilla::client
