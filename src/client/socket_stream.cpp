// Plain TCP (names resolved with Asio's resolver, every address tried in turn), TLS over it
// (tls::Connection driven by readiness waits) and unix-socket streams for the control plane's
// HTTP client. Never blocks the caller's thread: name lookups run on Asio's resolver thread (a
// lookup cannot be interrupted; its result is then ignored), OpenSSL runs on a non-blocking fd.
#include <sys/un.h>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/write.hpp>

#include "client/stream.hpp"
#include "net/async.hpp"
#include "tls/client_context.hpp"
#include "tls/connection.hpp"

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

class TcpStream : public Stream {
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

 protected:
  asio::ip::tcp::resolver resolver_;
  asio::ip::tcp::socket socket_;
  std::string host_;
  std::uint16_t port_;
  bool closed_ = false;
};

// TLS over a TcpStream: the handshake follows the connect; every read and write goes through
// one tls::Connection on the socket's fd, waiting for readiness whenever OpenSSL asks.
class TlsStream final : public TcpStream {
 public:
  TlsStream(const asio::any_io_executor& executor, std::string host, std::uint16_t port,
            std::shared_ptr<const tls::ClientContext> context)
      : TcpStream(executor, host, port), context_(std::move(context)) {}

  asio::awaitable<std::error_code> connect() override {
    const std::error_code connected = co_await TcpStream::connect();
    if (connected) co_return connected;
    std::error_code error;
    socket_.non_blocking(true, error);
    if (error) co_return error;
    tls_ = tls::Connection::client(*context_, socket_.native_handle(), host_, nullptr, error);
    if (error) co_return error;
    for (;;) {
      const tls::Step step = tls_->handshake();
      if (step.want == tls::Want::kNone) co_return failure(step);
      const std::error_code waited = co_await wait(step.want);
      if (waited) co_return waited;
    }
  }

  asio::awaitable<IoResult> read_some(std::span<char> into) override {
    for (;;) {
      const tls::Step step = tls_->read(into.data(), into.size());
      if (step.bytes > 0) co_return IoResult{{}, step.bytes};
      if (step.want == tls::Want::kNone) co_return IoResult{failure(step), 0};
      const std::error_code waited = co_await wait(step.want);
      if (waited) co_return IoResult{waited, 0};
    }
  }

  asio::awaitable<IoResult> write(std::span<const asio::const_buffer> buffers) override {
    std::size_t total = 0;
    for (const asio::const_buffer& buffer : buffers) {
      const char* data = static_cast<const char*>(buffer.data());
      std::size_t left = buffer.size();
      while (left > 0) {
        const tls::Step step = tls_->write(data, left);
        data += step.bytes;
        left -= step.bytes;
        total += step.bytes;
        if (step.bytes > 0) continue;
        if (step.want == tls::Want::kNone) co_return IoResult{failure(step), total};
        const std::error_code waited = co_await wait(step.want);
        if (waited) co_return IoResult{waited, total};
      }
    }
    co_return IoResult{{}, total};
  }

 private:
  static std::error_code failure(const tls::Step& step) {
    if (step.error) return step.error;
    if (step.eof) return asio::error::eof;
    return {};
  }

  asio::awaitable<std::error_code> wait(tls::Want want) {
    auto [error] = co_await socket_.async_wait(
        want == tls::Want::kWrite ? asio::socket_base::wait_write : asio::socket_base::wait_read,
        net::use_nothrow);
    co_return error;
  }

  std::shared_ptr<const tls::ClientContext> context_;
  std::unique_ptr<tls::Connection> tls_;  // after the TCP connect
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

std::shared_ptr<const tls::ClientContext> https_context(
    const std::optional<std::filesystem::path>& ca_file, std::string& error) {
  config::UpstreamTls settings;
  settings.ca = ca_file;
  return tls::ClientContext::build(settings, "https", error);
}

std::unique_ptr<Stream> make_stream(const asio::any_io_executor& executor, const Endpoint& endpoint,
                                    std::shared_ptr<const tls::ClientContext> context,
                                    std::string& error) {
  if (endpoint.kind == Endpoint::Kind::kUnix) {
    return std::make_unique<UnixStream>(executor, endpoint.socket_path);
  }
  if (endpoint.scheme == Endpoint::Scheme::kHttps) {
    if (!context) {
      // The system's trust store, read once per process (thread-safe static initialisation).
      static const std::shared_ptr<const tls::ClientContext> system_default = [] {
        std::string ignored;
        return https_context(std::nullopt, ignored);
      }();
      context = system_default;
    }
    if (!context) {
      error = "https: cannot load the system's trust store";
      return nullptr;
    }
    return std::make_unique<TlsStream>(executor, endpoint.host, endpoint.port, std::move(context));
  }
  return std::make_unique<TcpStream>(executor, endpoint.host, endpoint.port);
}

}  // namespace flotilla::client
