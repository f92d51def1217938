// What the control thread publishes to every data-plane worker: immutable upstream specs.
// Plain structs only — no behaviour, no per-worker state (that lives in UpstreamState).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace flotilla::upstream {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::milliseconds;

enum class BalanceKind : std::uint8_t {
  round_robin,
  least_conn,
  random_two,
  consistent_hash,
  ip_hash
};

// Where consistent_hash takes its key from; the gateway extracts it and passes a string_view.
enum class HashSource : std::uint8_t { client_ip, header, cookie };

struct HashSpec {
  HashSource source = HashSource::client_ip;
  std::string name;  // header or cookie name; empty for client_ip
};

struct EndpointSpec {
  std::string key;      // identity across snapshots: "10.0.0.1:80" or "web/2" for an instance
  std::string address;  // where to connect: "127.0.0.1:8001"
  std::uint32_t weight = 1;
  bool backup = false;  // nginx `backup`: used only while no primary can take the request
};

// Envoy's consecutive-5xx outlier detection. consecutive_errors 0 disables it.
struct OutlierSpec {
  std::uint32_t consecutive_errors = 5;
  Duration base_ejection{std::chrono::seconds(30)};
  Duration max_ejection{std::chrono::seconds(300)};
  // Envoy's `interval`: the ejection multiplier decays by one per interval spent not ejected.
  Duration interval{std::chrono::seconds(10)};
  std::uint32_t max_ejected_percent = 10;
};

// Envoy/Linkerd retry budget: retries allowed while active retries < max(min, percent × active).
struct RetryBudgetSpec {
  std::uint32_t percent = 20;
  std::uint32_t min_retries = 3;
};

// Delay between retry attempts (fully jittered exponential), per route rather than per upstream.
struct BackoffSpec {
  Duration base{25};
  Duration cap{250};
};

struct UpstreamSpec {
  std::string name;
  std::vector<EndpointSpec> endpoints;
  BalanceKind balance = BalanceKind::round_robin;
  HashSpec hash;  // consistent_hash only
  // nginx defaults: max_fails=1 fail_timeout=10s; max_fails 0 disables passive health.
  std::uint32_t max_fails = 1;
  Duration fail_timeout{std::chrono::seconds(10)};
  Duration slow_start{0};  // 0 disables the ramp
  OutlierSpec outlier;
  RetryBudgetSpec retry_budget;
};

struct UpstreamSnapshot {
  std::vector<UpstreamSpec> upstreams;
};

}  // namespace flotilla::upstream
