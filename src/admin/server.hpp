// The admin API server on the control thread's io_context (single-threaded): a TCP listener
// (admin.listen) and a unix socket (admin.socket, mode 0600), both speaking HTTP/1.1 with
// keep-alive, plus the built-in /health and /ready. Owns listeners, connections and the socket
// file; must never run handlers on another thread or block the control thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "admin/router.hpp"
#include "admin/server_options.hpp"

namespace flotilla::admin {

struct ServerContext;
struct Listeners;

class Server {
 public:
  Server(asio::io_context& io, ServerOptions options);
  ~Server();  // stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Register every route before start(). /health and /ready are already there.
  Router& router();
  // Answers GET /ready: 200 {"status":"ready"} when it returns true, else 503. Unset: ready.
  void set_ready_check(std::function<bool()> ready);

  // Binds the configured listeners. The unix socket file is created mode 0600; a stale one (no
  // one accepting on it) is replaced, a live one or a non-socket file is an error. False with
  // `error` (nothing left bound) on failure.
  bool listen(std::string& error);
  // Starts accepting (on the io_context given to the constructor).
  void start();
  // Closes listeners and every connection, removes the socket file. Idempotent. Handlers still
  // running finish on the io_context, but their answers are dropped.
  void stop();

  // The bound TCP address (the real port when admin.listen asked for port 0).
  std::optional<asio::ip::tcp::endpoint> tcp_endpoint() const;
  const std::filesystem::path& socket_path() const;
  std::size_t connection_count() const;

 private:
  asio::io_context& io_;
  std::shared_ptr<ServerContext> context_;
  std::shared_ptr<Listeners> listeners_;
};

}  // namespace flotilla::admin
