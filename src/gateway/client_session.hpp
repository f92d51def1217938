// One client connection on one worker: waits for a request without holding a buffer, reads and
// parses the head, routes it, hands it to the proxy exchange, and loops for keep-alive and
// pipelining. Owns the client socket and its deadline; never outlives its worker.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "gateway/workspace.hpp"
#include "net/object_pool.hpp"
#include "net/watchdog.hpp"

namespace flotilla::gateway {

class Worker;

class ClientSession {
 public:
  ClientSession(Worker& worker, asio::ip::tcp::socket socket, std::uint32_t listener_index);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  asio::awaitable<void> run();

  // Used by the proxy exchange and stages.
  Worker& worker() noexcept { return worker_; }
  asio::ip::tcp::socket& socket() noexcept { return socket_; }
  net::Watchdog& watchdog() noexcept { return watchdog_; }
  Workspace& workspace() noexcept { return *workspace_; }
  std::uint32_t listener_index() const noexcept { return listener_index_; }
  std::string_view client_ip() const noexcept { return {client_ip_.data(), client_ip_size_}; }
  // Bytes of the workspace buffer holding client data not yet consumed.
  std::size_t& filled() noexcept { return filled_; }
  bool idle() const noexcept { return idle_; }
  // Bytes the current head took in the buffer (tolerated leading CRLFs included).
  std::size_t head_consumed() const noexcept { return head_consumed_; }
  // Drops `bytes` from the front of the buffer, moving pipelined bytes to offset 0.
  void consume(std::size_t bytes);
  // The current request's metrics record (valid while a workspace is leased).
  observe::RequestRecord& record() noexcept { return workspace_->record; }
  // Closes an idle connection at once (graceful drain); a busy one finishes its response.
  void close_if_idle();

  // Position in the worker's session list, kept by the worker.
  std::size_t worker_slot() const noexcept { return worker_slot_; }
  void set_worker_slot(std::size_t slot) noexcept { worker_slot_ = slot; }

 private:
  asio::awaitable<bool> wait_for_request(bool first);
  asio::awaitable<bool> read_head();
  asio::awaitable<bool> handle_request();
  asio::awaitable<bool> respond_with(std::string_view bytes, bool keep_alive);
  asio::awaitable<bool> reject(int status, bool keep_alive, bool json = false);
  // Counts the request in flight once its head parsed (or was rejected); finish_request() ends it.
  void open_request(const http::RequestHead* parsed);
  void finish_request();

  Worker& worker_;
  asio::ip::tcp::socket socket_;
  net::Watchdog watchdog_;
  std::uint32_t listener_index_;
  net::ObjectPool<Workspace>::Lease workspace_;
  std::size_t filled_ = 0;
  std::size_t head_consumed_ = 0;
  std::array<char, 46> client_ip_{};  // INET6_ADDRSTRLEN
  std::size_t client_ip_size_ = 0;
  std::size_t worker_slot_ = 0;
  bool idle_ = true;
};

}  // namespace flotilla::gateway
