// One client connection on one worker: parked between requests in the worker's readiness poller
// (no coroutine, no buffer, no timer, no Asio operation: the worker's sweep enforces the idle
// timeout), then a coroutine that reads and parses the head, routes it, hands it to the proxy
// exchange, and loops for pipelining. Owns the client socket and its deadline; never outlives
// its worker.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "net/async.hpp"
#include "gateway/workspace.hpp"
#include "net/intrusive_list.hpp"
#include "net/object_pool.hpp"
#include "net/readiness_poller.hpp"
#include "net/socket.hpp"
#include "net/swept_deadline.hpp"

namespace flotilla::gateway {

class Worker;

// The worker's lists (idle by deadline, busy) thread through the session's ListHook. A parked
// session belongs to the worker (which destroys it when its idle deadline passes or on drain);
// a busy one to its coroutine.
class ClientSession final : public net::ListHook, public net::ReadinessPoller::Target {
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
  // The current request's metrics record (valid while a workspace is leased).
  observe::RequestRecord& record() noexcept { return workspace_->record; }

  // While the exchange waits for the upstream's response head (`upstream` non-null), the
  // worker's sweep checks that the client is still there (as nginx's check_broken_connection):
  // if it closed or reset, closing `upstream` ends the wait, and the exchange ends as 499.
  void watch_client_while(net::Socket* upstream) noexcept { upstream_wait_ = upstream; }
  bool client_gone() const noexcept { return client_gone_; }

  // From the worker's sweep (never while the session's own code runs) for a busy session:
  // closing the socket ends whatever waits on it, and the session then ends itself.
  void expire();
  void check_client();
  // From the poller: the client sent bytes (or hung up) since the last look.
  void on_readable() override;
  // Parked → busy: the request path starts (or, while draining, the session ends).
  void resume();
  net::SweptDeadline& deadline() noexcept { return deadline_; }

 private:
  ClientSession(Worker& worker, net::Socket socket, const asio::ip::tcp::endpoint& peer,
                std::uint32_t listener_index);

  // Parks the connection until the client sends bytes.
  void park(bool first);
  // Serves requests while bytes keep coming; parks the session again or destroys it.
  net::Awaitable<void> serve(std::unique_ptr<ClientSession> self);
  void lease_workspace();
  net::Awaitable<bool> respond_with(int status, std::string_view bytes, bool keep_alive);
  net::Awaitable<bool> reject(int status, bool keep_alive, bool json = false, bool head_only = false);
  // Counts the request in flight once its head parsed (or was rejected); finish_request()
  // (request_end.hpp) ends it, exactly once.
  void open_request(const http::RequestHead* parsed);

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
  net::ReadinessPoller::Token watch_ = net::ReadinessPoller::kNoToken;
  bool peer_v6_ = false;
  bool idle_ = true;
  bool client_gone_ = false;
  // Bytes may be waiting in the socket: set by the poller, cleared before each read of a head
  // (and set again when that read filled the buffer), so a parked connection is woken for every
  // byte that arrived after the last read (the poller is edge-triggered).
  bool readable_ = false;
  bool served_ = false;  // a head was read: later waits are keep-alive waits
};

}  // namespace flotilla::gateway
