// What the control thread publishes to the data plane: routes and upstream membership, resolved
// and immutable. Types only. Workers hold a shared_ptr to the snapshot they serve a request with,
// so a reload never changes anything under an in-flight request.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <asio/ip/tcp.hpp>

#include "config/retry_on.hpp"
#include "gateway/pipeline/stage.hpp"
#include "gateway/route_table.hpp"
#include "net/ip_address.hpp"
#include "upstream/snapshot.hpp"
#include "upstream/tail_policy.hpp"

namespace flotilla::tls {
class ServerContext;
class ClientContext;
}  // namespace flotilla::tls

namespace flotilla::gateway {

using Millis = std::chrono::milliseconds;

struct RetryPolicy {
  // config::retry_bit()s of the conditions retried on.
  std::uint32_t on =
      config::retry_bit(config::RetryOn::error) | config::retry_bit(config::RetryOn::timeout);
  std::uint32_t tries = 3;  // attempts in total, the first included
  Millis budget{0};         // wall time for all attempts; 0 = unbounded
  bool non_idempotent = false;
  // retry.per_try_timeout: off (the read timeout bounds a try), auto, or fixed.
  upstream::AdaptiveTimeout per_try;
};

// hedge: off unless the route says so.
struct HedgePolicy {
  upstream::AdaptiveTimeout after;
  std::uint32_t max = 0;  // 0: no hedging
};

struct RouteTimeouts {
  Millis connect{60'000};
  Millis send{60'000};
  Millis read{60'000};
};

struct RouteTarget {
  std::string name;  // for logs and metrics: the match as written, e.g. "api.example.com/v1/"
  // The route's stages; a route without an upstream ends with a request stage that always
  // answers (a redirect).
  StageChain chain;
  bool proxy = true;  // the proxy is the terminal stage
  std::uint32_t upstream = 0;
  RetryPolicy retry;
  HedgePolicy hedge;
  RouteTimeouts timeouts;
  bool ignore_client_abort = false;  // nginx proxy_ignore_client_abort
};

// The part of a listener that a reload may change: its stages (health, ready, redirect to
// HTTPS, header rules, HSTS). Address and timeouts are fixed at start (ListenerSettings).
struct ListenerTarget {
  StageChain chain;
  // TLS listeners: the context (certificates; replaced on reload, while connections that
  // started under the old one keep it) and the handshake bounds.
  std::shared_ptr<const tls::ServerContext> tls;
  Millis handshake_timeout{10'000};
  std::uint32_t max_handshakes = 1024;  // concurrent, per worker
  // With client certificates: the verified subject goes upstream in this header (a client's
  // own line of that name is always dropped).
  std::string client_subject_header;
  // Peers whose X-Forwarded-For / Forwarded are believed (the listener's trusted_proxies, else
  // the top-level list): gateway/client_address.hpp.
  net::CidrSet trusted_proxies;
};

struct KeepaliveSettings {
  std::uint32_t idle_per_endpoint = 32;
  Millis idle_timeout{60'000};
  std::uint32_t max_requests = 1000;
};

struct UpstreamTarget {
  upstream::UpstreamSpec spec;
  // addresses[i] is where spec.endpoints[i] is reached (resolved by the control thread).
  std::vector<asio::ip::tcp::endpoint> addresses;
  KeepaliveSettings keepalive;
  // TLS to the endpoints: the context, and the name each endpoint's certificate must carry
  // (parallel to addresses; sent as SNI unless an IP literal).
  std::shared_ptr<const tls::ClientContext> tls;
  std::vector<std::string> tls_names;
};

struct GatewaySnapshot {
  std::uint64_t generation = 0;
  std::vector<ListenerTarget> listeners;  // parallel to the gateway's ListenerSettings
  RouteTable table;
  std::vector<RouteTarget> routes;
  std::vector<UpstreamTarget> upstreams;
};

using SnapshotPtr = std::shared_ptr<const GatewaySnapshot>;

}  // namespace flotilla::gateway
