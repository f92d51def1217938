#include "gateway/proxy/connection_pool.hpp"

#include <algorithm>
#include <functional>

#include "net/coarse_clock.hpp"

namespace flotilla::gateway {
namespace {

constexpr std::chrono::milliseconds kProbeAfterIdle{1000};

}  // namespace

std::size_t ConnectionPool::EndpointHash::operator()(
    const asio::ip::tcp::endpoint& e) const noexcept {
  const auto* data = reinterpret_cast<const unsigned char*>(e.data());
  std::size_t h = 1469598103934665603ull;  // FNV-1a over the sockaddr bytes
  for (std::size_t i = 0; i < e.size(); ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

std::unique_ptr<UpstreamConnection> ConnectionPool::take(const asio::ip::tcp::endpoint& endpoint,
                                                         const tls::ClientContext* tls,
                                                         std::string_view tls_name,
                                                         bool always_probe) {
  auto it = idle_.find(endpoint);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  const auto now = net::coarse_now();
  for (std::size_t i = list.size(); i-- > 0;) {     // the most recently used first
    if (!list[i]->serves(tls, tls_name)) continue;  // another upstream's (or an old context's)
    std::unique_ptr<UpstreamConnection> connection = std::move(list[i]);
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
    if (now >= connection->idle_deadline()) continue;
    // A connection idle for a moment is almost surely alive (upstream keep-alive timeouts are
    // seconds long), and a failure there is retried; only longer-idle ones pay for a probe —
    // and every one that would carry a request that cannot be replayed.
    if ((!always_probe && connection->idle_for(now) < kProbeAfterIdle) ||
        connection->looks_reusable()) {
      return connection;
    }
  }
  return nullptr;
}

void ConnectionPool::give_back(std::unique_ptr<UpstreamConnection> connection,
                               const KeepaliveSettings& settings) {
  if (settings.idle_per_endpoint == 0 || connection->requests() >= settings.max_requests) return;
  auto& list = idle_[connection->endpoint()];
  if (list.size() >= settings.idle_per_endpoint) list.erase(list.begin());  // drop the oldest
  connection->mark_idle(settings.idle_timeout);
  connection->watchdog().disarm();
  list.push_back(std::move(connection));
}

void ConnectionPool::sweep(std::chrono::steady_clock::time_point now) {
  for (auto& [endpoint, list] : idle_) {
    std::erase_if(list, [&](const std::unique_ptr<UpstreamConnection>& c) {
      return now >= c->idle_deadline() || !c->looks_reusable();
    });
  }
}

std::size_t ConnectionPool::idle_count() const noexcept {
  std::size_t n = 0;
  for (const auto& [endpoint, list] : idle_) n += list.size();
  return n;
}

}  // namespace flotilla::gateway
