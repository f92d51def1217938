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

#include "gateway/route_table.hpp"
#include "upstream/snapshot.hpp"

namespace flotilla::gateway {

using Millis = std::chrono::milliseconds;

// Why an attempt may be retried (nginx proxy_next_upstream), as bits.
enum RetryReason : std::uint32_t {
  kRetryError = 1u << 0,          // connect failure, reset, closed before a response head
  kRetryTimeout = 1u << 1,        // connect / send / read timeout
  kRetryInvalidHeader = 1u << 2,  // unparsable response head
  kRetryHttp500 = 1u << 3,
  kRetryHttp502 = 1u << 4,
  kRetryHttp503 = 1u << 5,
  kRetryHttp504 = 1u << 6,
  kRetryHttp429 = 1u << 7,
};

// The RetryReason bit naming an HTTP status (http_500…), or 0 for a status retries never name.
constexpr std::uint32_t status_retry_reason(int status) noexcept {
  switch (status) {
    case 500:
      return kRetryHttp500;
    case 502:
      return kRetryHttp502;
    case 503:
      return kRetryHttp503;
    case 504:
      return kRetryHttp504;
    case 429:
      return kRetryHttp429;
    default:
      return 0;
  }
}

struct RetryPolicy {
  std::uint32_t on = kRetryError | kRetryTimeout;
  std::uint32_t tries = 3;  // attempts in total, the first included
  Millis budget{0};         // wall time for all attempts; 0 = unbounded
  bool non_idempotent = false;
};

struct RouteTimeouts {
  Millis connect{60'000};
  Millis send{60'000};
  Millis read{60'000};
};

struct RouteTarget {
  std::string name;  // for logs and metrics: the match as written, e.g. "api.example.com/v1/"
  std::uint32_t upstream = 0;
  RetryPolicy retry;
  RouteTimeouts timeouts;
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
};

struct GatewaySnapshot {
  std::uint64_t generation = 0;
  RouteTable table;
  std::vector<RouteTarget> routes;
  std::vector<UpstreamTarget> upstreams;
};

using SnapshotPtr = std::shared_ptr<const GatewaySnapshot>;

}  // namespace flotilla::gateway
