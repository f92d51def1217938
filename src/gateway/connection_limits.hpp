// Connection counts shared by every worker: per listener, over all listeners, and per client
// address, against `max_connections`, `max_connections_per_client` and the top-level
// `max_connections`. The one exception to shared-nothing on the data plane: relaxed atomics and
// a striped table touched twice per connection (accept and close), never per request.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "gateway/listener_settings.hpp"
#include "net/ip_address.hpp"
#include "observe/metric_shard.hpp"

namespace flotilla::gateway {

class ConnectionLimits {
 public:
  explicit ConnectionLimits(const std::vector<ListenerSettings>& listeners);

  // Counts a new connection on `listener` (and over all), or says which cap it would pass.
  std::optional<observe::ConnectionRefusal> open(std::uint32_t listener) noexcept;
  void close(std::uint32_t listener) noexcept;
  // True when a new connection on `listener` would pass a cap: the worker sheds an idle one.
  bool full(std::uint32_t listener) const noexcept;

  // Counts a connection from `client` on `listener` (false: its max_connections_per_client is
  // reached; nothing counted). Listeners without that limit count nothing and always admit.
  bool open_client(std::uint32_t listener, const net::IpAddress& client);
  void close_client(std::uint32_t listener, const net::IpAddress& client);

  std::uint32_t total() const noexcept { return total_.load(std::memory_order_relaxed); }

 private:
  struct Key {
    net::IpAddress address;
    std::uint32_t listener;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct Stripe {
    std::mutex mutex;
    std::unordered_map<Key, std::uint32_t, KeyHash> counts;
  };
  static constexpr std::size_t kStripes = 64;

  struct PerListener {
    std::uint32_t max = 0;
    std::uint32_t max_per_client = 0;
    std::atomic<std::uint32_t> open{0};
  };
  std::unique_ptr<PerListener[]> listeners_;
  std::size_t listener_count_ = 0;
  std::uint32_t max_total_ = 0;
  std::atomic<std::uint32_t> total_{0};
  std::array<Stripe, kStripes> stripes_;
};

}  // namespace flotilla::gateway
