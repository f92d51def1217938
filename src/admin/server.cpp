// Listeners and the accept loops of the admin server, and the lifecycle of the socket file.
#include "admin/server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <type_traits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "admin/connection.hpp"
#include "admin/server_context.hpp"
#include "config/units.hpp"

namespace flotilla::admin {

struct Listeners {
  explicit Listeners(asio::io_context& io) : tcp(io), local(io) {}
  asio::ip::tcp::acceptor tcp;
  asio::local::stream_protocol::acceptor local;
  std::filesystem::path socket_path;  // set once our socket file exists
  dev_t socket_dev = 0;               // identity of our socket file, so that stop() never
  ino_t socket_ino = 0;               // removes one another process created in its place
};

namespace {

constexpr auto kServerNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

asio::awaitable<void> serve_connection(std::shared_ptr<ServerContext> context,
                                       std::shared_ptr<Connection> connection, std::uint64_t id) {
  co_await connection->run();
  context->connections.erase(id);
}

template <class Acceptor>
asio::awaitable<void> accept_loop(std::shared_ptr<ServerContext> context,
                                  std::shared_ptr<Listeners> /*keeps `acceptor` alive*/,
                                  Acceptor& acceptor, bool unix_socket) {
  asio::steady_timer backoff(acceptor.get_executor());
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kServerNoThrow);
    if (context->stopping || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // EMFILE and friends: pause instead of spinning on an accept that keeps failing.
      spdlog::warn("admin: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(kServerNoThrow);
      continue;
    }
    if (context->connections.size() >= context->options.max_connections) {
      spdlog::warn("admin: {} connections open, refusing another", context->connections.size());
      std::error_code ignored;
      socket.close(ignored);
      continue;
    }
    std::string peer = "unix socket";
    if constexpr (std::is_same_v<Acceptor, asio::ip::tcp::acceptor>) {
      std::error_code peer_error;
      const auto remote = socket.remote_endpoint(peer_error);
      if (!peer_error) peer = fmt::format("{}:{}", remote.address().to_string(), remote.port());
    }
    auto connection = std::make_shared<Connection>(Connection::Socket(std::move(socket)),
                                                   unix_socket, std::move(peer), context);
    const std::uint64_t id = context->next_connection_id++;
    context->connections.emplace(id, connection);
    asio::co_spawn(acceptor.get_executor(), serve_connection(context, std::move(connection), id),
                   asio::detached);
  }
}

bool bind_tcp(const config::Address& address, asio::ip::tcp::acceptor& acceptor,
              std::string& error) {
  std::error_code ec;
  asio::ip::tcp::endpoint endpoint;
  const asio::ip::address ip = asio::ip::make_address(address.host, ec);
  if (!ec) {
    endpoint = {ip, address.port};
  } else {
    asio::ip::tcp::resolver resolver(acceptor.get_executor());
    const auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) {
      error = fmt::format("admin.listen {}: cannot resolve: {}", config::format_address(address),
                          ec ? ec.message() : "no address");
      return false;
    }
    endpoint = results.begin()->endpoint();
  }
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = fmt::format("admin.listen {}: {}", config::format_address(address), ec.message());
    std::error_code ignored;
    acceptor.close(ignored);
    return false;
  }
  return true;
}

// A socket file nobody accepts on is left over from a crash: safe to replace.
bool socket_is_live(asio::io_context& io, const std::filesystem::path& path) {
  asio::local::stream_protocol::socket probe(io);
  std::error_code ec;
  probe.connect(asio::local::stream_protocol::endpoint(path.string()), ec);
  return !ec;
}

bool bind_unix(asio::io_context& io, Listeners& listeners, const std::filesystem::path& path,
               std::string& error) {
  const std::string where = fmt::format("admin.socket {}", path.string());
  // sockaddr_un::sun_path is 108 bytes, NUL included.
  if (path.string().size() >= 108) {
    error = fmt::format("{}: path too long for a unix socket (max 107 bytes)", where);
    return false;
  }
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      error = fmt::format("{}: exists and is not a socket", where);
      return false;
    }
    if (socket_is_live(io, path)) {
      error =
          fmt::format("{}: another process is serving on it (is flotilla already running?)", where);
      return false;
    }
    ::unlink(path.c_str());
  }
  std::error_code ec;
  asio::local::stream_protocol::acceptor& acceptor = listeners.local;
  acceptor.open(asio::local::stream_protocol(), ec);
  if (!ec) {
    // The file gets its mode at bind(): with umask 0177 it is born 0600, never briefly wider.
    // umask is process-wide, but this runs on the control thread before anything else creates
    // files.
    const mode_t previous = ::umask(0177);
    acceptor.bind(asio::local::stream_protocol::endpoint(path.string()), ec);
    ::umask(previous);
  }
  if (!ec && ::chmod(path.c_str(), 0600) != 0) ec = {errno, std::generic_category()};
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  struct stat created {};
  if (!ec && ::stat(path.c_str(), &created) != 0) ec = {errno, std::generic_category()};
  if (ec) {
    error = fmt::format("{}: {}", where, ec.message());
    std::error_code ignored;
    const bool bound =
        acceptor.is_open() && acceptor.local_endpoint(ignored).path() == path.string();
    acceptor.close(ignored);
    if (bound) ::unlink(path.c_str());
    return false;
  }
  listeners.socket_path = path;
  listeners.socket_dev = created.st_dev;
  listeners.socket_ino = created.st_ino;
  return true;
}

void remove_socket_file(Listeners& listeners) {
  if (listeners.socket_path.empty()) return;
  struct stat current {};
  if (::lstat(listeners.socket_path.c_str(), &current) == 0 &&
      current.st_dev == listeners.socket_dev && current.st_ino == listeners.socket_ino) {
    ::unlink(listeners.socket_path.c_str());
  }
  listeners.socket_path.clear();
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options)
    : io_(io),
      context_(std::make_shared<ServerContext>()),
      listeners_(std::make_shared<Listeners>(io)) {
  context_->auth = TokenAuth(options.token);
  context_->options = std::move(options);
  ServerContext* context = context_.get();  // the routes live inside it: never dangles
  context_->router.add("GET", "/health", [](const AdminRequest&) -> asio::awaitable<AdminResponse> {
    co_return json_response(200, {{"status", "healthy"}});
  });
  context_->router.add("GET", "/ready",
                       [context](const AdminRequest&) -> asio::awaitable<AdminResponse> {
                         const bool ready = !context->ready || context->ready();
                         co_return ready ? json_response(200, {{"status", "ready"}})
                                         : json_response(503, {{"status", "not ready"}});
                       });
}

Server::~Server() {
  stop();
}

Router& Server::router() {
  return context_->router;
}

void Server::set_ready_check(std::function<bool()> ready) {
  context_->ready = std::move(ready);
}

bool Server::listen(std::string& error) {
  const ServerOptions& options = context_->options;
  if (options.listen && !bind_tcp(*options.listen, listeners_->tcp, error)) return false;
  if (!options.socket.empty() && !bind_unix(io_, *listeners_, options.socket, error)) {
    std::error_code ignored;
    listeners_->tcp.close(ignored);
    return false;
  }
  return true;
}

void Server::start() {
  if (listeners_->tcp.is_open()) {
    asio::co_spawn(io_, accept_loop(context_, listeners_, listeners_->tcp, false), asio::detached);
  }
  if (listeners_->local.is_open()) {
    asio::co_spawn(io_, accept_loop(context_, listeners_, listeners_->local, true), asio::detached);
  }
}

void Server::stop() {
  context_->stopping = true;
  std::error_code ignored;
  listeners_->tcp.close(ignored);
  listeners_->local.close(ignored);
  remove_socket_file(*listeners_);
  // close() may end a connection, whose coroutine then erases itself later: iterate a copy.
  const auto connections = context_->connections;
  for (const auto& [id, weak] : connections) {
    if (auto connection = weak.lock()) connection->close();
  }
}

std::optional<asio::ip::tcp::endpoint> Server::tcp_endpoint() const {
  std::error_code ec;
  if (!listeners_->tcp.is_open()) return std::nullopt;
  const auto endpoint = listeners_->tcp.local_endpoint(ec);
  if (ec) return std::nullopt;
  return endpoint;
}

const std::filesystem::path& Server::socket_path() const {
  return context_->options.socket;
}

std::size_t Server::connection_count() const {
  return context_->connections.size();
}

bool options_from_spec(const config::Spec& spec, ServerOptions& options, std::string& error,
                       const config::EnvLookup& env) {
  options.listen = spec.admin.listen;
  options.socket = spec.admin.socket;
  options.token = load_token(spec.admin, error, env);
  return error.empty();
}

}  // namespace flotilla::admin
