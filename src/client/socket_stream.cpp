// Plain TCP (names resolved with Asio's resolver, every address tried in turn) and unix-socket
// streams for the control plane's HTTP client. Never blocks the caller's thread: name lookups
// run on Asio's resolver thread (a lookup cannot be interrupted; its result is then ignored).
#include <sys/un.h>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/write.hpp>

#include "client/stream.hpp"
#include "net/async.hpp"

namespace flotilla::client {
namespace {

template <class Socket>
asio::awaitable<IoResult> read_some_from(Socket& socket, std::span<char> into) {
  auto [error, n] =
      co_await socket.async_read_some(asio::buffer(into.data(), into.size()), net::use_nothrow);
  co_return IoResult{error, n};
}

template <class Socket>
asio::awaitable<IoResult> write_to(Socket& socket, std::span<const asio::const_buffer> buffers) {
  auto [error, n] = co_await asio::async_write(socket, buffers, net::use_nothrow);
  co_return IoResult{error, n};
}

class TcpStream final : public Stream {
 public:
  TcpStream(const asio::any_io_executor& executor, std::string host, std::uint16_t port)
      : resolver_(executor), socket_(executor), host_(std::move(host)), port_(port) {}

  asio::awaitable<std::error_code> connect() override {
    std::error_code literal_error;
    const asio::ip::address address = asio::ip::make_address(host_, literal_error);
    if (!literal_error) {
      auto [error] = co_await socket_.async_connect({address, port_}, net::use_nothrow);
      co_return error;
    }
    auto [resolve_error, found] =
        co_await resolver_.async_resolve(host_, std::to_string(port_), net::use_nothrow);
    if (closed_) co_return asio::error::operation_aborted;
    if (resolve_error) co_return resolve_error;
    auto [connect_error, connected] =
        co_await asio::async_connect(socket_, found, net::use_nothrow);
    co_return connect_error;
  }

  asio::awaitable<IoResult> read_some(std::span<char> into) override {
    return read_some_from(socket_, into);
  }
  asio::awaitable<IoResult> write(std::span<const asio::const_buffer> buffers) override {
    return write_to(socket_, buffers);
  }

  void close() noexcept override {
    closed_ = true;
    resolver_.cancel();
    std::error_code ignored;
    socket_.close(ignored);
  }

 private:
  asio::ip::tcp::resolver resolver_;
  asio::ip::tcp::socket socket_;
  std::string host_;
  std::uint16_t port_;
  bool closed_ = false;
};

class UnixStream final : public Stream {
 public:
  UnixStream(const asio::any_io_executor& executor, std::string path)
      : socket_(executor), path_(std::move(path)) {}

  asio::awaitable<std::error_code> connect() override {
    if (path_.size() >= sizeof(sockaddr_un::sun_path)) {
      co_return std::make_error_code(std::errc::filename_too_long);
    }
    auto [error] = co_await socket_.async_connect(asio::local::stream_protocol::endpoint(path_),
                                                  net::use_nothrow);
    co_return error;
  }

  asio::awaitable<IoResult> read_some(std::span<char> into) override {
    return read_some_from(socket_, into);
  }
  asio::awaitable<IoResult> write(std::span<const asio::const_buffer> buffers) override {
    return write_to(socket_, buffers);
  }

  void close() noexcept override {
    std::error_code ignored;
    socket_.close(ignored);
  }

 private:
  asio::local::stream_protocol::socket socket_;
  std::string path_;
};

}  // namespace

std::unique_ptr<Stream> make_stream(const asio::any_io_executor& executor, const Endpoint& endpoint,
                                    std::string& error) {
  if (endpoint.kind == Endpoint::Kind::kUnix) {
    return std::make_unique<UnixStream>(executor, endpoint.socket_path);
  }
  if (endpoint.scheme == Endpoint::Scheme::kHttps) {
    // The TLS transport goes here: a Stream that connects a TcpStream, then handshakes.
    error = "https:// is not supported yet (no TLS client transport): use http://";
    return nullptr;
  }
  return std::make_unique<TcpStream>(executor, endpoint.host, endpoint.port);
}

}  // namespace flotilla::client
