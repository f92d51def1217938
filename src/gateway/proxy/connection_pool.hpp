// Per-worker keep-alive pool of idle upstream connections, keyed by endpoint address. Never
// shared between workers; never hands out a connection whose last response was not fully read.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <asio/ip/tcp.hpp>

#include "gateway/proxy/upstream_connection.hpp"
#include "gateway/snapshot.hpp"

namespace flotilla::gateway {

class ConnectionPool {
 public:
  // An idle connection to `endpoint` made for `tls` (null: plain) and `tls_name` (see
  // UpstreamConnection::serves) that still looks alive, or null. Idle connections to the same
  // address made for other TLS settings stay for their own upstream. `always_probe`: check even
  // a connection idle for a moment (for a request that could not be replayed if it failed).
  std::unique_ptr<UpstreamConnection> take(const asio::ip::tcp::endpoint& endpoint,
                                           const tls::ClientContext* tls, std::string_view tls_name,
                                           bool always_probe);

  // Keeps `connection` for reuse if the settings allow, else closes it.
  void give_back(std::unique_ptr<UpstreamConnection> connection, const KeepaliveSettings& settings);

  // Closes connections idle longer than their timeout (called by the worker's periodic sweep).
  void sweep(std::chrono::steady_clock::time_point now);
  void clear() { idle_.clear(); }
  std::size_t idle_count() const noexcept;

 private:
  struct EndpointHash {
    std::size_t operator()(const asio::ip::tcp::endpoint& e) const noexcept;
  };
  // Most recently used at the back: reusing the warmest connection keeps the rest aging out.
  std::unordered_map<asio::ip::tcp::endpoint, std::vector<std::unique_ptr<UpstreamConnection>>,
                     EndpointHash>
      idle_;
};

}  // namespace flotilla::gateway
