// The data plane as a whole: worker threads, their SO_REUSEPORT acceptors, and snapshot
// publication from the control thread. Owns the shutdown order (stop accepting → drain →
// stop threads → tear down) so no connection outlives the state it points to.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/ip/tcp.hpp>

#include "config/spec.hpp"
#include "gateway/crash_ledger.hpp"
#include "gateway/listener_settings.hpp"
#include "gateway/snapshot.hpp"
#include "gateway/worker.hpp"
#include "net/worker_pool.hpp"
#include "observe/access_log_writer.hpp"
#include "observe/gateway_metrics.hpp"
#include "observe/sample.hpp"
#include "tls/ticket_keys.hpp"

namespace flotilla::gateway {

class ConnectionLimits;

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
  // What each listener offers by ALPN / prior knowledge: "h2,http/1.1", "h2c,http/1.1" or
  // "http/1.1", in bound_endpoints() order.
  std::vector<std::string> listener_protocols() const;

  // Control thread: hands a new snapshot to every worker (before start: installed directly).
  void publish(SnapshotPtr snapshot);
  void start();

  // Control thread: a new session-ticket key for every worker (the previous one still
  // decrypts); call at start and every `ticket_key_rotation`.
  void rotate_ticket_keys();

  // Control thread: the active health checker's verdict for one endpoint, sent to every worker.
  void set_active_health(const std::string& upstream, const std::string& endpoint_key, bool up);

  // The query-of-death rule (proxy/crash_verdict.hpp). Before start(): workers report requests
  // broken on supervised instances to a CrashLedger on `control` (without this, every broken
  // request is retried as a broken connection). Control thread: the supervisor's word on how
  // the run at `address` ("127.0.0.1:8002") of `service` ended; the rule's counters per service;
  // close_crash_verdicts() before the gateway stops (no answer is posted afterwards).
  void enable_crash_verdicts(asio::any_io_executor control);
  void run_ended(const std::string& address, const std::string& service, bool crashed);
  std::map<std::string, CrashCounts> crash_counts() const;
  void close_crash_verdicts();

  // Stops accepting, closes idle connections, waits up to `grace` for in-flight ones, stops.
  void drain_and_stop(std::chrono::milliseconds grace);
  // Any thread: a drain_and_stop() under way stops waiting for in-flight requests (they are cut).
  void cut_drain() noexcept { drain_cut_.store(true, std::memory_order_relaxed); }

  std::size_t worker_count() const noexcept { return workers_.size(); }

  // Before start(): one JSON line per request, as `settings` says (its `enabled` is the caller's
  // business). False with a message in `error` when the file cannot be opened.
  bool open_access_log(const config::AccessLog& settings, std::string& error);

  // Control thread: the data plane's metrics and endpoint health, merged over all workers. Each
  // worker copies its own state on its own thread (no locks, no shared counters); `done` runs on
  // `control` once every worker answered. Never called if the gateway stops first.
  void collect(asio::any_io_executor control, std::function<void(observe::GatewayStats)> done);
  // The same, as the gateway's metric families (the caller appends the instances' families).
  void collect_metrics(asio::any_io_executor control,
                       std::function<void(observe::MetricsView)> done);

 private:
  void accept_loops();
  void tear_down();

  std::vector<ListenerSettings> listeners_;
  SnapshotPtr published_;  // the last snapshot published (control thread)
  std::shared_ptr<const tls::TicketKeys> ticket_keys_;
  // Shared by the workers (null: no connection limit configured); declared before them.
  std::unique_ptr<ConnectionLimits> connection_limits_;
  // Declared before the workers: it must outlive their last flush.
  std::unique_ptr<observe::AccessLogWriter> access_log_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<net::WorkerPool> pool_;
  // acceptors_[worker][listener]
  std::vector<std::vector<std::unique_ptr<asio::ip::tcp::acceptor>>> acceptors_;
  bool started_ = false;
  std::atomic<bool> drain_cut_{false};
  std::shared_ptr<CrashLedger> crash_ledger_;  // control thread; workers reach it by posts
};

}  // namespace flotilla::gateway
