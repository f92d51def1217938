// The demo app's process-level server: the listener, the accept loop, the worker threads, and
// graceful shutdown on SIGTERM/SIGINT. Owns every connection's lifetime; never parses HTTP.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <asio.hpp>

#include "demo/demo_context.hpp"

namespace flotilla::demo {

class DemoConnection;

struct DemoServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see DemoServer::port())
  int threads = 2;
};

// In-flight requests get this long to finish after SIGTERM/SIGINT.
inline constexpr std::chrono::seconds kDrainTime{5};

class DemoServer {
 public:
  // Binds and listens, and installs the signal handlers: throws std::system_error on failure.
  explicit DemoServer(const DemoServerOptions& options);
  ~DemoServer();
  DemoServer(const DemoServer&) = delete;
  DemoServer& operator=(const DemoServer&) = delete;

  std::uint16_t port() const noexcept { return context_.identity.port; }
  const DemoIdentity& identity() const noexcept { return context_.identity; }

  // Serves on `threads` threads until a signal, then drains; returns the signal number.
  int run();

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> wait_for_signal();
  void add(const std::shared_ptr<DemoConnection>& connection);
  void remove(std::uint64_t id);

  // Declared first, destroyed last: everything below holds handles into it.
  asio::io_context io_;
  DemoContext context_;
  int threads_ = 1;
  int signal_ = 0;
  // The listener, the signals and the drain timer are used only on this strand.
  asio::strand<asio::io_context::executor_type> strand_;
  asio::ip::tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer drain_timer_;

  std::mutex mutex_;  // guards the registry below; connections leave it from their own threads
  std::unordered_map<std::uint64_t, std::weak_ptr<DemoConnection>> connections_;
  std::uint64_t next_id_ = 0;
  bool stopping_ = false;
};

}  // namespace flotilla::demo
