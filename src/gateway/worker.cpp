#include "gateway/worker.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "gateway/client_session.hpp"

namespace flotilla::gateway {
namespace {

constexpr std::chrono::seconds kSweepInterval{1};

asio::awaitable<void> run_session(std::unique_ptr<ClientSession> session) {
  try {
    co_await session->run();
  } catch (const std::exception& e) {
    // Only allocation failures and bugs get here: the data plane reports errors as values.
    spdlog::error("connection aborted: {}", e.what());
  }
}

}  // namespace

Worker::Worker(asio::io_context& context, std::uint32_t index,
               const std::vector<ListenerSettings>& listeners)
    : context_(context),
      index_(index),
      listeners_(listeners),
      rng_(0x9e3779b97f4a7c15ULL * (index + 1) ^
           static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())),
      sweep_timer_(std::in_place, context) {
  for (const ListenerSettings& listener : listeners_) {
    const http::Limits limits = listener.limits;
    workspace_pools_.push_back(std::make_unique<net::ObjectPool<Workspace>>(
        [limits] { return std::make_unique<Workspace>(limits); }, 256));
  }
  schedule_sweep();
}

Worker::~Worker() {
  if (access_log_) access_log_->flush();  // lines of sessions that ended during teardown
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
    }
    by_index.push_back(slot.get());
  }
  by_index_ = std::move(by_index);
  snapshot_ = std::move(snapshot);
  intern_series();
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

void Worker::serve(asio::ip::tcp::socket socket, std::uint32_t listener_index) {
  auto session = std::make_unique<ClientSession>(*this, std::move(socket), listener_index);
  asio::co_spawn(context_, run_session(std::move(session)), asio::detached);
}

void Worker::begin_drain() {
  draining_ = true;
  // close_if_idle() only closes sockets; sessions detach themselves later as they unwind.
  for (ClientSession* session : sessions_) session->close_if_idle();
  connection_pool_.clear();
  if (sweep_timer_) sweep_timer_->cancel();
}

void Worker::shut_down() {
  connection_pool_.clear();
  sweep_timer_.reset();
  access_log_timer_.reset();
  if (access_log_) access_log_->flush();
}

void Worker::attach(ClientSession* session) {
  session->set_worker_slot(sessions_.size());
  sessions_.push_back(session);
  connection_count_.store(sessions_.size(), std::memory_order_relaxed);
}

void Worker::detach(ClientSession* session) {
  // Swap-and-pop by the slot the session remembers: O(1) with thousands of connections.
  const std::size_t slot = session->worker_slot();
  ClientSession* moved = sessions_.back();
  sessions_[slot] = moved;
  moved->set_worker_slot(slot);
  sessions_.pop_back();
  connection_count_.store(sessions_.size(), std::memory_order_relaxed);
}

void Worker::schedule_sweep() {
  sweep_timer_->expires_after(kSweepInterval);
  sweep_timer_->async_wait([this](std::error_code ec) {
    if (ec || draining_) return;
    connection_pool_.sweep(std::chrono::steady_clock::now());
    schedule_sweep();
  });
}

}  // namespace flotilla::gateway
