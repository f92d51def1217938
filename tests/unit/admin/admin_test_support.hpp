// Test helpers for the admin module: run an admin Server on its own thread, talk to it with raw
// blocking sockets (bytes exactly as written, responses parsed by our codec), run a coroutine
// to completion.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "admin/server.hpp"
#include "http/body_reader.hpp"
#include "http/response_parser.hpp"

namespace flotilla::admin::testing {

// Runs `awaitable` on a fresh io_context and returns its result.
template <class T>
T run_sync(asio::awaitable<T> awaitable) {
  asio::io_context io;
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(awaitable), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result = std::move(value);
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

// A Server on its own io_context thread. Routes are added through `setup` before it starts;
// everything touching the server afterwards goes through on_io().
class ServerThread {
 public:
  template <class Setup>
  ServerThread(ServerOptions options, Setup setup) {
    server_ = std::make_unique<Server>(io_, std::move(options));
    setup(*server_);
    std::string error;
    if (!server_->listen(error)) throw std::runtime_error(error);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  explicit ServerThread(ServerOptions options) : ServerThread(std::move(options), [](Server&) {}) {}

  template <class F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto future = task.get_future();
    asio::post(io_, [&task] { task(); });
    return future.get();
  }

  ~ServerThread() {
    stop();
    thread_.join();
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    on_io([this] { server_->stop(); });
  }

  std::uint16_t port() {
    return on_io([this] { return server_->tcp_endpoint()->port(); });
  }
  Server& server() { return *server_; }

 private:
  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  bool stopped_ = false;
};

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  bool keep_alive = false;
};

// A blocking client socket that sends exactly the bytes it is given. Every read is bounded by
// a 10 s receive timeout, so a broken server fails the test instead of hanging it.
class RawConnection {
 public:
  static RawConnection tcp(std::uint16_t port) {
    RawConnection c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c.fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    return c;
  }
  static RawConnection unix_socket(const std::string& path) {
    RawConnection c(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (::connect(c.fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    return c;
  }

  RawConnection(RawConnection&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }

  void send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
      sent += static_cast<std::size_t>(n);
    }
  }

  // Reads one response (throws on timeout or EOF before it is complete).
  RawResponse read_response(http::Method request_method = http::Method::kGet) {
    http::ResponseParser parser;
    parser.reset(request_method);
    http::ParseResult result = parser.parse(buffer_);
    while (result.incomplete()) {
      read_some();
      result = parser.parse(buffer_);
    }
    if (result.failed()) throw std::runtime_error("malformed response");
    RawResponse response;
    response.status = parser.head().status;
    response.keep_alive = parser.head().keep_alive;
    for (const http::Header& header : parser.head().headers) {
      std::string name(header.name);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers[name] = std::string(header.value);
    }
    http::BodyReader reader;
    reader.start(parser.head().framing, parser.head().content_length);
    std::size_t position = result.consumed;
    while (!reader.done()) {
      const http::BodyStep step = reader.next(std::string_view(buffer_).substr(position));
      if (step.failed()) throw std::runtime_error("malformed body");
      response.body.append(step.data);
      position += step.consumed;
      if (!step.done && step.consumed == 0) read_some();
    }
    buffer_.erase(0, position);
    return response;
  }

  // True when the server closed the connection (EOF or reset) with nothing more to read.
  bool closed_by_peer() {
    if (!buffer_.empty()) return false;
    char byte;
    const ssize_t n = ::recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  explicit RawConnection(int fd) : fd_(fd) {
    if (fd_ < 0) throw std::runtime_error("socket");
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  void read_some() {
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n == 0) throw std::runtime_error("connection closed before the response was complete");
    if (n < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }

  int fd_ = -1;
  std::string buffer_;
};

// A private temporary directory (removed with its content) for socket files.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/flotilla-admin-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (made == nullptr) throw std::runtime_error("mkdtemp");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace flotilla::admin::testing
