// The data plane as a whole: worker threads, their SO_REUSEPORT acceptors, and snapshot
// publication from the control thread. Owns the shutdown order (stop accepting → drain →
// stop threads → tear down) so no connection outlives the state it points to.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <asio/ip/tcp.hpp>

#include "gateway/listener_settings.hpp"
#include "gateway/snapshot.hpp"
#include "gateway/worker.hpp"
#include "net/worker_pool.hpp"

namespace flotilla::gateway {

class Gateway {
 public:
  // `workers` 0 = one per core.
  Gateway(std::vector<ListenerSettings> listeners, std::uint32_t workers);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Opens every listener on every worker. On failure returns false with a message in `error`.
  bool bind(std::string& error);
  // The bound addresses, one per listener (the real port when the config said 0).
  std::vector<asio::ip::tcp::endpoint> bound_endpoints() const;

  // Control thread: hands a new snapshot to every worker (before start: installed directly).
  void publish(SnapshotPtr snapshot);
  void start();

  // Control thread: the active health checker's verdict for one endpoint, sent to every worker.
  void set_active_health(const std::string& upstream, const std::string& endpoint_key, bool up);

  // Stops accepting, closes idle connections, waits up to `grace` for in-flight ones, stops.
  void drain_and_stop(std::chrono::milliseconds grace);

  std::size_t worker_count() const noexcept { return workers_.size(); }

 private:
  void accept_loops();
  void tear_down();

  std::vector<ListenerSettings> listeners_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<net::WorkerPool> pool_;
  // acceptors_[worker][listener]
  std::vector<std::vector<std::unique_ptr<asio::ip::tcp::acceptor>>> acceptors_;
  bool started_ = false;
};

}  // namespace flotilla::gateway
