// One client connection on one worker: parked between requests on a plain readiness wait (no
// coroutine, no buffer, no timer: the worker's sweep enforces the idle timeout), then a coroutine
// that reads and parses the head, routes it, hands it to the proxy exchange, and loops for
// pipelining. Owns the client socket and its deadline; never outlives its worker.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "gateway/async.hpp"
#include "gateway/workspace.hpp"
#include "net/inline_handler_memory.hpp"
#include "net/intrusive_list.hpp"
#include "net/object_pool.hpp"
#include "net/socket.hpp"
#include "net/swept_deadline.hpp"

namespace flotilla::gateway {

class Worker;

// The worker's lists (idle by deadline, busy) thread through the session's ListHook.
class ClientSession : public net::ListHook {
 public:
  // Takes an accepted connection and waits for its first request.
  static void start(Worker& worker, net::Socket socket, const asio::ip::tcp::endpoint& peer,
                    std::uint32_t listener_index);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // Used by the proxy exchange and stages (only while a request is active).
  Worker& worker() noexcept { return worker_; }
  net::Socket& socket() noexcept { return socket_; }
  net::SweptDeadline& watchdog() noexcept { return deadline_; }
  Workspace& workspace() noexcept { return *workspace_; }
  std::uint32_t listener_index() const noexcept { return listener_index_; }
  std::string_view client_ip() const noexcept {
    return {workspace_->client_ip.data(), workspace_->client_ip_size};
  }
  // Bytes of the workspace buffer holding client data not yet consumed.
  std::size_t& filled() noexcept { return filled_; }
  bool idle() const noexcept { return idle_; }
  // Bytes the current head took in the buffer (tolerated leading CRLFs included).
  std::size_t head_consumed() const noexcept { return head_consumed_; }
  // Drops `bytes` from the front of the buffer, moving pipelined bytes to offset 0.
  void consume(std::size_t bytes);

  // While the exchange waits for the upstream's response head (`upstream` non-null), the
  // worker's sweep checks that the client is still there (as nginx's check_broken_connection):
  // if it closed or reset, closing `upstream` ends the wait, and the exchange ends as 499.
  void watch_client_while(net::Socket* upstream) noexcept { upstream_wait_ = upstream; }
  bool client_gone() const noexcept { return client_gone_; }

  // From the worker's sweep and drain (never while the session's own code runs): closing the
  // socket ends whatever waits on it, and the session then ends itself.
  void close_if_idle();
  void expire();
  void check_client();
  net::SweptDeadline& deadline() noexcept { return deadline_; }

 private:
  // Room for the one pending readiness wait of an idle connection (Asio's wait op with our
  // one-pointer handler is 80 bytes with an io_context executor).
  static constexpr std::size_t kWaitMemory = 80;
  friend struct IdleWaitHandler;

  ClientSession(Worker& worker, net::Socket socket, const asio::ip::tcp::endpoint& peer,
                std::uint32_t listener_index);

  // Parks the connection until the client sends bytes (or the socket is closed).
  void wait_for_request(bool first);
  void on_readable(std::error_code ec);
  // Serves requests while bytes keep coming; parks the session again or destroys it.
  Awaitable<void> serve(std::unique_ptr<ClientSession> self);
  void lease_workspace();
  Awaitable<bool> respond_with(int status, std::string_view bytes, bool keep_alive);
  Awaitable<bool> reject(int status, bool keep_alive, bool json = false);

  Worker& worker_;
  net::Socket socket_;
  net::SweptDeadline deadline_;
  net::ObjectPool<Workspace>::Lease workspace_;
  std::size_t filled_ = 0;
  std::size_t head_consumed_ = 0;
  std::uint32_t listener_index_;
  // The peer's address in binary; formatted into the workspace for each request.
  std::array<unsigned char, 16> peer_address_{};
  net::Socket* upstream_wait_ = nullptr;
  bool peer_v6_ = false;
  bool idle_ = true;
  bool client_gone_ = false;
  net::InlineHandlerMemory<kWaitMemory> wait_memory_;
};

}  // namespace flotilla::gateway
