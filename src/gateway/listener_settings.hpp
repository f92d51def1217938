// What a data-plane worker needs to know about one listener for as long as it runs: address,
// limits, timeouts. Types only, derived once from the config's `listen:` entry; what a reload may
// change (stages, certificates) is in the snapshot's ListenerTarget.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <asio/ip/tcp.hpp>

#include "gateway/h2/limits.hpp"
#include "http/limits.hpp"

namespace flotilla::gateway {

struct ListenerSettings {
  asio::ip::tcp::endpoint endpoint;
  http::Limits limits;
  std::uint64_t max_body = 1024 * 1024;  // 0 = unlimited (nginx client_max_body_size)
  std::chrono::milliseconds header_timeout{60'000};
  std::chrono::milliseconds body_timeout{60'000};
  std::chrono::milliseconds keepalive_timeout{75'000};
  std::chrono::milliseconds send_timeout{60'000};  // nginx send_timeout, towards the client
  bool tls = false;  // connections start with a TLS handshake (context in the snapshot)
  // HTTP/2: offered by ALPN on TLS, or spoken with prior knowledge (h2c) on a plain listener.
  bool http2 = false;
  h2::Limits http2_limits;      // `http2: { ... }`: SETTINGS, windows, flood budgets, idle timeout
  std::string name;             // the address as configured: the `listener` label of metrics
  bool proxy_protocol = false;  // a PROXY v1/v2 header comes first on every connection
  // Connection limits (0: none): this listener's, per client address, and across listeners.
  std::uint32_t max_connections = 0;
  std::uint32_t max_connections_per_client = 0;
  std::uint32_t max_connections_global = 0;
  // min_rate: a head or body slower than `min_rate` bytes/s over `min_rate_window` is cut off.
  std::uint64_t min_rate = 0;
  std::chrono::milliseconds min_rate_window{10'000};
};

}  // namespace flotilla::gateway
