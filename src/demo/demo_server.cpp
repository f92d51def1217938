// Listener, threads and shutdown for the demo app. Shutdown order: stop accepting, ask every
// connection to finish its request in flight (idle ones close at once), then stop the
// io_context when the last connection is gone or kDrainTime has passed, whichever comes first.
#include "demo/demo_server.hpp"

#include <csignal>
#include <cstdlib>
#include <thread>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>
#include <asio/experimental/as_tuple.hpp>

#include "demo/demo_connection.hpp"

namespace flotilla::demo {
namespace {

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

asio::ip::tcp::endpoint resolve_listen(asio::io_context& io, const DemoServerOptions& options) {
  asio::ip::tcp::resolver resolver(io);
  const auto results =
      resolver.resolve(options.host, std::to_string(options.port),
                       asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service);
  return results.begin()->endpoint();
}

// Keeps the connection object alive for exactly as long as its coroutine runs.
asio::awaitable<void> run_connection(std::shared_ptr<DemoConnection> connection) {
  co_await connection->run();
}

}  // namespace

DemoServer::DemoServer(const DemoServerOptions& options)
    : threads_(std::max(1, options.threads)),
      strand_(asio::make_strand(io_)),
      acceptor_(strand_),
      signals_(strand_, SIGINT, SIGTERM),
      drain_timer_(strand_) {
  const asio::ip::tcp::endpoint endpoint = resolve_listen(io_, options);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);

  DemoIdentity& identity = context_.identity;
  identity.host = options.host;
  identity.port = acceptor_.local_endpoint().port();
  identity.pid = static_cast<int>(::getpid());
  identity.instance = env_or_empty("FLOTILLA_INSTANCE");
  identity.revision = env_or_empty("FLOTILLA_REVISION");
}

DemoServer::~DemoServer() = default;

int DemoServer::run() {
  asio::co_spawn(strand_, accept_loop(), asio::detached);
  asio::co_spawn(strand_, wait_for_signal(), asio::detached);
  std::vector<std::thread> workers;
  for (int i = 1; i < threads_; ++i) workers.emplace_back([this] { io_.run(); });
  io_.run();
  for (std::thread& worker : workers) worker.join();
  return signal_;
}

asio::awaitable<void> DemoServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kNoThrow);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of descriptors or similar: back off instead of spinning on the error.
      fmt::print(stderr, "demo-app: accept failed: {}\n", ec.message());
      asio::steady_timer pause(strand_, std::chrono::milliseconds(100));
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    std::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    auto connection = std::make_shared<DemoConnection>(std::move(socket), context_);
    add(connection);
  }
}

void DemoServer::add(const std::shared_ptr<DemoConnection>& connection) {
  std::uint64_t id = 0;
  {
    const std::lock_guard lock(mutex_);
    id = next_id_++;
    connections_.emplace(id, connection);
  }
  asio::co_spawn(connection->executor(), run_connection(connection),
                 [this, id](const std::exception_ptr&) { remove(id); });
}

void DemoServer::remove(std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  connections_.erase(id);
  if (stopping_ && connections_.empty()) io_.stop();
}

asio::awaitable<void> DemoServer::wait_for_signal() {
  auto [ec, signal] = co_await signals_.async_wait(kNoThrow);
  if (ec) co_return;
  signal_ = signal;
  fmt::print(stderr, "demo-app: signal {} received, finishing in-flight requests\n", signal);
  std::error_code ignored;
  acceptor_.close(ignored);

  std::vector<std::shared_ptr<DemoConnection>> live;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    if (connections_.empty()) {
      io_.stop();
      co_return;
    }
    for (const auto& [id, weak] : connections_) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  for (const auto& connection : live) {
    asio::post(connection->executor(), [connection] { connection->stop(); });
  }
  drain_timer_.expires_after(kDrainTime);
  auto [timer_ec] = co_await drain_timer_.async_wait(kNoThrow);
  if (!timer_ec) fmt::print(stderr, "demo-app: drain time over, closing remaining connections\n");
  io_.stop();
}

}  // namespace flotilla::demo
