#include "gateway/worker.hpp"

#include <sys/socket.h>

#include <algorithm>

#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "gateway/client_connection.hpp"
#include "gateway/connection_limits.hpp"
#include "gateway/h1/connection.hpp"
#include "net/coarse_clock.hpp"

namespace flotilla::gateway {
namespace {

// Idle upstream connections are checked once a second; client deadlines at the sweep's tick:
// a quarter of the shortest client timeout, between 10 ms and 1 s.
constexpr std::chrono::milliseconds kPoolSweepInterval{1000};
constexpr std::chrono::milliseconds kMinSweepTick{10};

std::chrono::milliseconds sweep_tick(const std::vector<ListenerSettings>& listeners) {
  std::chrono::milliseconds tick = kPoolSweepInterval;
  for (const ListenerSettings& l : listeners) {
    for (const std::chrono::milliseconds t :
         {l.header_timeout, l.body_timeout, l.keepalive_timeout, l.send_timeout,
          l.min_rate != 0 ? l.min_rate_window : std::chrono::milliseconds(0)}) {
      if (t.count() > 0) tick = std::min(tick, std::max(kMinSweepTick, t / 4));
    }
  }
  return tick;
}

}  // namespace

Worker::Worker(asio::io_context& context, std::uint32_t index,
               const std::vector<ListenerSettings>& listeners)
    : context_(context),
      index_(index),
      listeners_(listeners),
      hedge_queue_(context),
      rng_(0x9e3779b97f4a7c15ULL * (index + 1) ^
           static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())),
      sweep_timer_(std::in_place, context),
      poller_(std::in_place, context),
      sweep_tick_(sweep_tick(listeners)) {
  for (const ListenerSettings& listener : listeners_) {
    // Named for what it is once bound (name_listeners); unique until then.
    listener_series_.push_back(
        metrics_.listener_series("listen[" + std::to_string(listener_series_.size()) + "]"));
    const http::Limits limits = listener.limits;
    workspace_pools_.push_back(std::make_unique<net::ObjectPool<Workspace>>(
        [limits] { return std::make_unique<Workspace>(limits); }, 256));
    for (int kind = 0; kind < 2; ++kind) {
      idle_.push_back(std::make_unique<net::IntrusiveList<ClientConnection>>());
    }
  }
  schedule_sweep();
}

Worker::~Worker() {
  if (access_log_) access_log_->flush();  // lines of connections that ended during teardown
}

void Worker::install(SnapshotPtr snapshot) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<WorkerUpstream*> by_index;
  by_index.reserve(snapshot->upstreams.size());
  for (const UpstreamTarget& target : snapshot->upstreams) {
    auto& slot = upstreams_[target.spec.name];
    if (!slot) {
      slot = std::make_unique<WorkerUpstream>(target, rng_.next());
    } else {
      slot->state.update(target.spec, now);
      slot->addresses = target.addresses;
      slot->keepalive = target.keepalive;
      slot->update_tls(target);
    }
    by_index.push_back(slot.get());
  }
  by_index_ = std::move(by_index);
  snapshot_ = std::move(snapshot);
  intern_series();
}

void WorkerUpstream::update_tls(const UpstreamTarget& target) {
  if (target.tls != tls) tls_sessions.clear();  // another context: its sessions do not resume
  tls = target.tls;
  tls_names = target.tls_names;
  tls_sessions.resize(tls ? addresses.size() : 0);
}

void Worker::set_active_health(const std::string& upstream, const std::string& key, bool up) {
  const auto it = upstreams_.find(upstream);
  if (it == upstreams_.end()) return;
  upstream::UpstreamState& state = it->second->state;
  for (std::size_t i = 0; i < state.size(); ++i) {
    if (state.endpoint(i).key == key)
      state.set_active_health(i, up, std::chrono::steady_clock::now());
  }
}

bool Worker::any_endpoint_available() const {
  const auto now = std::chrono::steady_clock::now();
  return std::any_of(by_index_.begin(), by_index_.end(),
                     [&](const WorkerUpstream* u) { return u->state.available_count(now) > 0; });
}

void Worker::serve(net::Socket socket, const asio::ip::tcp::endpoint& peer,
                   std::uint32_t listener_index) {
  if (!limits_) {
    H1Connection::start(*this, std::move(socket), peer, listener_index, false);
    return;
  }
  // Near a cap, an idle keep-alive connection makes room before a new one is refused.
  if (limits_->full(listener_index) && shed_idle(listener_index)) {
    connection_refused(listener_index, observe::ConnectionRefusal::idle_shed);
  }
  if (const auto refusal = limits_->open(listener_index)) {
    refuse(std::move(socket), listener_index, *refusal);
    return;
  }
  // Per client: by the peer here; behind the PROXY protocol, once its header named the client.
  bool client_counted = false;
  if (!listeners_[listener_index].proxy_protocol) {
    const asio::ip::address address = peer.address();
    const net::IpAddress client = address.is_v6()
                                      ? net::IpAddress::v6_from(address.to_v6().to_bytes().data())
                                      : net::IpAddress::v4_from(address.to_v4().to_bytes().data());
    if (!limits_->open_client(listener_index, client)) {
      limits_->close(listener_index);
      refuse(std::move(socket), listener_index, observe::ConnectionRefusal::client_limit);
      return;
    }
    client_counted = true;
  }
  H1Connection::start(*this, std::move(socket), peer, listener_index, true, client_counted);
}

void Worker::name_listeners(const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size() && i < listener_series_.size(); ++i) {
    metrics_.rename_listener_series(listener_series_[i], names[i]);
  }
}

void Worker::connection_ended(std::uint32_t listener_index, const net::IpAddress& client,
                              bool client_counted) noexcept {
  if (!limits_) return;
  if (client_counted) limits_->close_client(listener_index, client);
  limits_->close(listener_index);
}

bool Worker::shed_idle(std::uint32_t listener) {
  // Keep-alive lists (odd indexes) hold connections that already had a response, oldest first.
  ClientConnection* victim = idle_[listener * 2 + 1]->front();
  for (std::size_t i = 1; !victim && i < idle_.size(); i += 2) victim = idle_[i]->front();
  if (!victim) return false;
  delete victim;
  return true;
}

void Worker::refuse(net::Socket socket, std::uint32_t listener, observe::ConnectionRefusal reason) {
  connection_refused(listener, reason);
  std::error_code ignored;
  const ListenerSettings& settings = listeners_[listener];
  if (!settings.tls && !settings.proxy_protocol &&
      reason != observe::ConnectionRefusal::client_limit) {
    static constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 34\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        "too many connections, retry later\n";
    // One non-blocking send: the answer fits any socket buffer; a client that cannot take it
    // loses nothing it could use. Then read what it sent (so the close is a FIN, not a reset
    // that could destroy the answer in flight) and close.
    ::send(socket.native_handle(), kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    socket.shutdown(net::Socket::shutdown_send, ignored);
    char drain[4096];
    for (int i = 0; i < 4 && ::recv(socket.native_handle(), drain, sizeof drain, MSG_DONTWAIT) > 0;
         ++i) {
    }
  }
  socket.close(ignored);
}

void Worker::begin_drain() {
  draining_ = true;
  // Parked connections belong to the worker: they close now. Busy ones finish their response (the
  // sweep keeps enforcing their deadlines) and close then.
  close_parked();
  connection_pool_.clear();
}

void Worker::shut_down() {
  close_parked();
  connection_pool_.clear();
  sweep_timer_.reset();
  hedge_queue_.shut_down();
  poller_.reset();
  access_log_timer_.reset();
  if (access_log_) access_log_->flush();
}

void Worker::close_parked() {
  for (auto& list : idle_) list->for_each([](ClientConnection* s) { delete s; });
  ready_.for_each([](ClientConnection* s) { delete s; });
}

void Worker::attach(ClientConnection* connection) {
  busy_.push_back(connection);
  connection_count_.store(++connection_total_, std::memory_order_relaxed);
}

void Worker::detach(ClientConnection* connection) {
  connection->unlink();
  connection_count_.store(--connection_total_, std::memory_order_relaxed);
}

void Worker::park(ClientConnection* connection, bool first_request) {
  idle_[connection->listener_index() * 2 + (first_request ? 0 : 1)]->push_back(connection);
}

void Worker::unpark(ClientConnection* connection) {
  busy_.push_back(connection);
}

void Worker::resume_soon(ClientConnection* connection) {
  ready_.push_back(connection);  // out of its idle list; a drain or shut_down still finds it
  if (resume_posted_) return;
  resume_posted_ = true;
  asio::post(context_, [this] {
    resume_posted_ = false;
    // resume() moves each connection to the busy list (or destroys it), so the front moves on.
    while (ClientConnection* connection = ready_.front()) connection->resume();
  });
}

void Worker::schedule_sweep() {
  sweep_timer_->expires_after(sweep_tick_);
  sweep_timer_->async_wait([this](std::error_code ec) {
    if (ec) return;
    sweep();
    schedule_sweep();
  });
}

void Worker::sweep() {
  const auto now = net::coarse_now();
  // A parked connection belongs to the worker: past its deadline it is closed here. A busy one
  // is told (expire() closes its socket, which ends what it waits on, and then the connection).
  for (auto& list : idle_) {
    while (ClientConnection* connection = list->front()) {
      if (!connection->due(now)) break;
      delete connection;
    }
  }
  busy_.for_each([&](ClientConnection* connection) {
    if (connection->due(now)) {
      connection->expire(now);
    } else {
      connection->check_client();  // one MSG_PEEK, only for a request waiting on its upstream
    }
  });
  if (!draining_ && now >= next_pool_sweep_) {
    connection_pool_.sweep(std::chrono::steady_clock::now());
    next_pool_sweep_ = now + kPoolSweepInterval;
  }
}

}  // namespace flotilla::gateway
