#include "gateway/connection_limits.hpp"

#include <cstring>

namespace flotilla::gateway {

ConnectionLimits::ConnectionLimits(const std::vector<ListenerSettings>& listeners)
    : listeners_(std::make_unique<PerListener[]>(listeners.size())),
      listener_count_(listeners.size()) {
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    listeners_[i].max = listeners[i].max_connections;
    listeners_[i].max_per_client = listeners[i].max_connections_per_client;
    // The top-level cap is the same in every listener's settings.
    if (listeners[i].max_connections_global != 0) max_total_ = listeners[i].max_connections_global;
  }
}

std::optional<observe::ConnectionRefusal> ConnectionLimits::open(std::uint32_t listener) noexcept {
  // Count first, then check: two workers racing for the last slot cannot both get it.
  const std::uint32_t total = total_.fetch_add(1, std::memory_order_relaxed) + 1;
  PerListener& own = listeners_[listener];
  const std::uint32_t count = own.open.fetch_add(1, std::memory_order_relaxed) + 1;
  if (max_total_ != 0 && total > max_total_) {
    close(listener);
    return observe::ConnectionRefusal::global_limit;
  }
  if (own.max != 0 && count > own.max) {
    close(listener);
    return observe::ConnectionRefusal::listener_limit;
  }
  return std::nullopt;
}

void ConnectionLimits::close(std::uint32_t listener) noexcept {
  total_.fetch_sub(1, std::memory_order_relaxed);
  listeners_[listener].open.fetch_sub(1, std::memory_order_relaxed);
}

bool ConnectionLimits::full(std::uint32_t listener) const noexcept {
  const PerListener& own = listeners_[listener];
  if (max_total_ != 0 && total_.load(std::memory_order_relaxed) >= max_total_) return true;
  return own.max != 0 && own.open.load(std::memory_order_relaxed) >= own.max;
}

std::size_t ConnectionLimits::KeyHash::operator()(const Key& key) const noexcept {
  // FNV-1a over the address bytes and the listener.
  std::uint64_t hash = 1469598103934665603ULL ^ key.listener;
  for (std::size_t i = 0; i < key.address.size(); ++i) {
    hash = (hash ^ key.address.bytes[i]) * 1099511628211ULL;
  }
  return static_cast<std::size_t>(hash);
}

bool ConnectionLimits::open_client(std::uint32_t listener, const net::IpAddress& client) {
  const std::uint32_t max = listeners_[listener].max_per_client;
  if (max == 0) return true;
  const Key key{client, listener};
  Stripe& stripe = stripes_[KeyHash{}(key) % kStripes];
  const std::lock_guard lock(stripe.mutex);
  std::uint32_t& count = stripe.counts[key];
  if (count >= max) {
    if (count == 0) stripe.counts.erase(key);
    return false;
  }
  ++count;
  return true;
}

void ConnectionLimits::close_client(std::uint32_t listener, const net::IpAddress& client) {
  if (listeners_[listener].max_per_client == 0) return;
  const Key key{client, listener};
  Stripe& stripe = stripes_[KeyHash{}(key) % kStripes];
  const std::lock_guard lock(stripe.mutex);
  const auto found = stripe.counts.find(key);
  if (found == stripe.counts.end()) return;
  if (--found->second == 0) stripe.counts.erase(found);
}

}  // namespace flotilla::gateway
