// A small scripted HTTP server for the client's tests, on its own thread: accepts connections on
// 127.0.0.1:0 (or a unix socket), reads each request's head and Content-Length body, records
// them, then writes the scripted reply in pieces and closes (or holds the connection open).
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "net/async.hpp"

namespace flotilla::client::testing {

struct Script {
  std::vector<std::string> pieces;  // written in turn, `gap` apart
  std::chrono::milliseconds gap{5};
  bool reply = true;       // false: read the request, answer nothing, hold the connection
  bool hold_open = false;  // after the reply, keep the connection open until the server stops
};

class ScriptedServer {
 public:
  explicit ScriptedServer(Script script) : script_(std::move(script)), tcp_(io_) {
    tcp_.open(asio::ip::tcp::v4());
    tcp_.set_option(asio::socket_base::reuse_address(true));
    tcp_.bind({asio::ip::make_address("127.0.0.1"), 0});
    tcp_.listen();
    asio::co_spawn(io_, accept_loop(tcp_), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ScriptedServer(Script script, const std::filesystem::path& socket)
      : script_(std::move(script)), tcp_(io_), unix_(io_) {
    std::filesystem::remove(socket);
    unix_.open();
    unix_.bind(asio::local::stream_protocol::endpoint(socket.string()));
    unix_.listen();
    asio::co_spawn(io_, accept_loop(unix_), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~ScriptedServer() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return tcp_.local_endpoint().port(); }

  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  template <class Acceptor>
  asio::awaitable<void> accept_loop(Acceptor& acceptor) {
    for (;;) {
      auto [error, socket] = co_await acceptor.async_accept(net::use_nothrow);
      if (error) co_return;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  template <class Socket>
  asio::awaitable<void> serve(Socket socket) {
    std::string data;
    auto [read_error, head_end] = co_await asio::async_read_until(
        socket, asio::dynamic_buffer(data), "\r\n\r\n", net::use_nothrow);
    if (read_error) co_return;
    std::size_t body = 0;
    const std::size_t cl = data.find("Content-Length: ");
    if (cl != std::string::npos && cl < head_end) body = std::stoul(data.substr(cl + 16));
    if (data.size() < head_end + body) {
      const std::size_t have = data.size();
      data.resize(head_end + body);
      auto [body_error, n] = co_await asio::async_read(
          socket, asio::buffer(data.data() + have, data.size() - have), net::use_nothrow);
      if (body_error) co_return;
    }
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(data);
    }
    asio::steady_timer timer(io_);
    if (script_.reply) {
      for (const std::string& piece : script_.pieces) {
        auto [write_error, written] =
            co_await asio::async_write(socket, asio::buffer(piece), net::use_nothrow);
        if (write_error) co_return;
        timer.expires_after(script_.gap);
        co_await timer.async_wait(net::use_nothrow);
      }
    }
    if (!script_.reply || script_.hold_open) {
      timer.expires_after(std::chrono::seconds(30));  // until the test ends (io_.stop())
      co_await timer.async_wait(net::use_nothrow);
    }
  }

  Script script_;
  asio::io_context io_;
  asio::ip::tcp::acceptor tcp_;
  asio::local::stream_protocol::acceptor unix_{io_};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
};

}  // namespace flotilla::client::testing
