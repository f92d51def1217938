// Everything one data-plane thread owns: its io_context, the snapshot it serves from, its own
// per-upstream balancing state, keep-alive pools, request workspaces and client connections.
// Never touched by another thread: the control thread only posts new snapshots to it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "gateway/http_date.hpp"
#include "gateway/listener_settings.hpp"
#include "gateway/proxy/connection_pool.hpp"
#include "gateway/proxy/hedge_queue.hpp"
#include "gateway/snapshot.hpp"
#include "gateway/static_files/open_file_cache.hpp"
#include "gateway/worker_stats.hpp"
#include "gateway/workspace.hpp"
#include "net/intrusive_list.hpp"
#include "net/object_pool.hpp"
#include "net/readiness_poller.hpp"
#include "net/socket.hpp"
#include "observe/access_log_buffer.hpp"
#include "observe/metric_shard.hpp"
#include "tls/openssl_handles.hpp"
#include "upstream/prng.hpp"
#include "upstream/upstream_state.hpp"

namespace flotilla::gateway {

class ClientConnection;
class ConnectionLimits;

// One upstream in one worker. Never destroyed while the worker runs (requests in flight keep a
// reference across snapshot changes); `addresses` is parallel to the state's endpoints.
struct WorkerUpstream {
  WorkerUpstream(const UpstreamTarget& target, std::uint64_t seed)
      : state(target.spec, seed), addresses(target.addresses), keepalive(target.keepalive) {
    update_tls(target);
  }
  // A new snapshot's TLS context and names; sessions stay where the endpoint stayed.
  void update_tls(const UpstreamTarget& target);

  upstream::UpstreamState state;
  std::vector<asio::ip::tcp::endpoint> addresses;
  KeepaliveSettings keepalive;
  // TLS to the endpoints (null: plain), the name each endpoint's certificate must carry, and the
  // last session each endpoint gave (offered on the next connection: abbreviated handshakes).
  std::shared_ptr<const tls::ClientContext> tls;
  std::vector<std::string> tls_names;
  std::vector<tls::SessionPtr> tls_sessions;
  std::chrono::steady_clock::time_point tls_warned{};  // failures are logged once a second
  // Metric series of this upstream and of each endpoint (parallel to `addresses`).
  std::uint32_t series = observe::kNoSeries;
  std::vector<std::uint32_t> endpoint_series;
};

class Worker {
 public:
  Worker(asio::io_context& context, std::uint32_t index,
         const std::vector<ListenerSettings>& listeners);
  ~Worker();

  asio::io_context& context() noexcept { return context_; }
  std::uint32_t index() const noexcept { return index_; }

  // Runs on this worker's thread (posted by the control thread).
  void install(SnapshotPtr snapshot);
  const SnapshotPtr& snapshot() const noexcept { return snapshot_; }
  // The worker's state for upstream `i` of the current snapshot.
  WorkerUpstream& upstream(std::uint32_t i) { return *by_index_[i]; }

  // Starts serving an accepted connection of listener `listener_index` (or refuses it: the
  // connection limits, shedding an idle keep-alive connection of this worker first).
  void serve(net::Socket socket, const asio::ip::tcp::endpoint& peer, std::uint32_t listener_index);
  // Before start: the gateway's shared connection counts (none: no connection limits).
  void set_connection_limits(ConnectionLimits* limits) noexcept { limits_ = limits; }
  ConnectionLimits* connection_limits() const noexcept { return limits_; }
  // Counts a connection refused or cut by a protection, under its listener's name.
  void connection_refused(std::uint32_t listener_index,
                          observe::ConnectionRefusal reason) noexcept {
    metrics_.connection_refused(listener_series_[listener_index], reason);
  }
  // Before start, once bound: the `listener` label of each listener (the real port for port 0).
  void name_listeners(const std::vector<std::string>& names);
  // A connection that serve() counted has ended (`client_counted`: also per client).
  void connection_ended(std::uint32_t listener_index, const net::IpAddress& client,
                        bool client_counted) noexcept;

  // The active health checker's verdict for the endpoint `key` of `upstream` (by name).
  void set_active_health(const std::string& upstream, const std::string& key, bool up);

  // Whether any upstream of the current snapshot has an endpoint to send to (readiness path).
  bool any_endpoint_available() const;

  // Graceful shutdown: idle connections close now, busy ones after their current response.
  void begin_drain();
  bool draining() const noexcept { return draining_; }
  std::size_t active_connections() const noexcept { return connection_total_; }
  // Readable from the control thread (for drain): written only by this worker.
  std::size_t active_connections_relaxed() const noexcept {
    return connection_count_.load(std::memory_order_relaxed);
  }
  // After the worker's thread stopped: drops I/O objects that must die before the io_context.
  void shut_down();

  net::ObjectPool<Workspace>& workspaces(std::uint32_t listener_index) {
    return *workspace_pools_[listener_index];
  }
  const ListenerSettings& listener(std::uint32_t i) const { return listeners_[i]; }
  ConnectionPool& connection_pool() noexcept { return connection_pool_; }
  // Hedged tries waiting for their hedge delay, behind one timer.
  HedgeQueue& hedge_queue() noexcept { return hedge_queue_; }
  upstream::Prng& rng() noexcept { return rng_; }
  // TLS handshakes in progress on client connections (bounded by a listener's max_handshakes).
  std::uint32_t& handshakes() noexcept { return handshakes_; }
  // The Date value for responses this worker writes itself (nginx sends one on its own too).
  std::string_view http_date() { return http_date_.now(); }
  // Static routes' open files (nginx open_file_cache), this worker's own.
  files::OpenFileCache& open_files() noexcept { return open_files_; }

  // Connection bookkeeping: every connection is counted, and linked either in the busy list or
  // in the idle list of its listener and timeout (first request or keep-alive), where the sweep
  // finds expired ones at the front (same timeout, so deadlines are in insertion order).
  void attach(ClientConnection* connection);
  void detach(ClientConnection* connection);
  void park(ClientConnection* connection, bool first_request);
  void unpark(ClientConnection* connection);
  // Resumes a parked connection from a handler of its own (soon, not inline).
  void resume_soon(ClientConnection* connection);
  net::ReadinessPoller& poller() { return *poller_; }
  void forget_watch(net::ReadinessPoller::Token token) noexcept {
    if (poller_) poller_->forget(token);
  }

  // Metrics and access log (worker_observe.cpp). The shard is this thread's alone.
  observe::MetricShard& metrics() noexcept { return metrics_; }
  std::uint32_t route_series(std::uint32_t route) const noexcept { return route_series_[route]; }
  bool access_log_enabled() const noexcept { return access_log_ != nullptr; }
  // The request is over: counts it and writes its access-log line. Once per opened record.
  void finish_request(observe::RequestRecord& record, std::string_view client_ip);
  // Counts one attempt on the endpoint series `endpoint` (requests by outcome, failures).
  void record_attempt(std::uint32_t endpoint, const upstream::Outcome& outcome);
  // A copy of this worker's metrics and endpoint health; on this worker's thread only.
  WorkerStats stats() const;
  // Before start: lines go to `writer` in batches, flushed every 100 ms.
  void enable_access_log(observe::AccessLogWriter& writer);

 private:
  void schedule_sweep();
  void sweep();
  void close_parked();
  void intern_series();
  void schedule_access_log_flush();
  // Closes this worker's longest-idle keep-alive connection (of `listener` if it has one, else
  // of any listener); false when it has none.
  bool shed_idle(std::uint32_t listener);
  // Refuses an accepted connection: on a plain listener a 503 with Connection: close is written
  // (best effort, never waited for); on a TLS listener, or for one client too many, it closes.
  void refuse(net::Socket socket, std::uint32_t listener, observe::ConnectionRefusal reason);

  asio::io_context& context_;
  std::uint32_t index_;
  std::vector<ListenerSettings> listeners_;
  std::vector<std::unique_ptr<net::ObjectPool<Workspace>>> workspace_pools_;
  SnapshotPtr snapshot_;
  std::unordered_map<std::string, std::unique_ptr<WorkerUpstream>> upstreams_;
  std::vector<WorkerUpstream*> by_index_;
  ConnectionPool connection_pool_;
  HedgeQueue hedge_queue_;
  upstream::Prng rng_;
  HttpDate http_date_;
  files::OpenFileCache open_files_;
  std::optional<asio::steady_timer> sweep_timer_;
  std::optional<net::ReadinessPoller> poller_;  // reset before the io_context goes
  // Client-side deadlines are enforced by the sweep, so its tick bounds their precision.
  std::chrono::milliseconds sweep_tick_{1000};
  std::chrono::steady_clock::time_point next_pool_sweep_{};
  std::atomic<std::size_t> connection_count_{0};
  std::size_t connection_total_ = 0;
  net::IntrusiveList<ClientConnection> busy_;
  std::vector<std::unique_ptr<net::IntrusiveList<ClientConnection>>> idle_;  // 2 per listener
  net::IntrusiveList<ClientConnection> ready_;  // parked connections to resume (resume_soon)
  bool resume_posted_ = false;
  bool draining_ = false;
  std::uint32_t handshakes_ = 0;
  ConnectionLimits* limits_ = nullptr;          // the gateway's; outlives the worker
  std::vector<std::uint32_t> listener_series_;  // per listener: its refusal series
  observe::MetricShard metrics_;
  std::vector<std::uint32_t> route_series_;  // per route of the current snapshot
  std::unique_ptr<observe::AccessLogBuffer> access_log_;
  std::optional<asio::steady_timer> access_log_timer_;
};

}  // namespace flotilla::gateway
