// One data-plane worker's request metrics: plain counters written only by that worker's thread.
// Never shared while live: a scrape posts to the worker, which copies its shard on its own thread
// and hands the copy to the control thread (see gateway::Gateway::collect). Why not single-writer
// atomics read across threads: label sets are interned on first sight (a new status, a new
// endpoint after a reload), so the containers themselves change; a copy made by the owner needs
// no synchronisation at all, and the hot path is plain increments without a single atomic.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/retry_on.hpp"
#include "http/content_coding.hpp"
#include "http/message.hpp"
#include "observe/duration_histogram.hpp"

namespace flotilla::observe {

// http::Method values index per-method series; kOther (0) is rendered "OTHER".
// http::ContentCoding values index the compression counters.
inline constexpr std::size_t kContentCodingCount =
    static_cast<std::size_t>(http::ContentCoding::kNotAcceptable);
inline constexpr std::size_t kMethodCount = static_cast<std::size_t>(http::Method::kPatch) + 1;
std::string_view method_label(http::Method method) noexcept;

// How an attempt on an endpoint ended: the response's status class, or what went wrong.
enum class AttemptOutcome : std::uint8_t {
  status_1xx,
  status_2xx,
  status_3xx,
  status_4xx,
  status_5xx,
  connect_error,
  reset,
  timeout,
  invalid_header,
  cancelled,  // the client went away: says nothing about the endpoint
};
inline constexpr std::size_t kAttemptOutcomeCount = 10;
std::string_view to_string(AttemptOutcome outcome) noexcept;
AttemptOutcome outcome_of_status(int status) noexcept;

// Why an attempt counted as an endpoint failure (what passive health counts): nginx's
// proxy_next_upstream vocabulary.
enum class FailureReason : std::uint8_t {
  connect_error,
  reset,
  timeout,
  invalid_header,
  http_500,
  http_502,
  http_503,
  http_504,
  http_429,
};
inline constexpr std::size_t kFailureReasonCount = 9;
std::string_view to_string(FailureReason reason) noexcept;

// Retries are counted per config::RetryOn (the reason label is config::kRetryOnNames).
inline constexpr std::size_t kRetryReasonCount = config::kRetryOnCount;

// TLS handshakes on client connections, by negotiated protocol and result.
enum class TlsProtocol : std::uint8_t { none, tls1_2, tls1_3 };  // none: failed before agreeing
inline constexpr std::size_t kTlsProtocolCount = 3;
std::string_view to_string(TlsProtocol protocol) noexcept;
TlsProtocol tls_protocol_of(std::string_view version) noexcept;  // "TLSv1.3" -> tls1_3
enum class TlsResult : std::uint8_t {
  ok,
  failed,    // the peer sent garbage, no shared protocol/cipher, a bad client certificate...
  timeout,   // not finished within the listener's handshake_timeout
  rejected,  // the worker already had max_handshakes in progress
};
inline constexpr std::size_t kTlsResultCount = 4;
std::string_view to_string(TlsResult result) noexcept;

// The client's protocol, for flotilla_http_requests_by_protocol_total (two series, not a label on
// every request series: that would double their cardinality).
enum class ClientProtocol : std::uint8_t { http1, http2 };
inline constexpr std::size_t kClientProtocolCount = 2;
std::string_view to_string(ClientProtocol protocol) noexcept;

// What the HTTP/2 codec saw and did on its connections: the defences each have one.
enum class Http2Event : std::uint8_t {
  connection,             // a connection began speaking HTTP/2 (ALPN h2 or the h2c preface)
  stream_refused,         // RST_STREAM REFUSED_STREAM: over max_concurrent_streams or draining
  header_list_too_large,  // answered 431
  rapid_reset,            // the client's resets went over their budget: GOAWAY
  continuation_flood,     // too many CONTINUATION frames for one header block: GOAWAY
  ping_flood,
  settings_flood,
  empty_data_flood,
  window_update_flood,
  protocol_error,  // any other connection error nghttp2 found: GOAWAY
  idle_timeout,    // the connection was closed after its idle (keep-alive) timeout
  goaway_drain,    // a graceful GOAWAY on drain, reload or shutdown
};
inline constexpr std::size_t kHttp2EventCount = 12;
std::string_view to_string(Http2Event event) noexcept;

// How a static file's body bytes left: handed to the kernel (sendfile) or read and written
// (TLS, HTTP/2).
enum class FileSend : std::uint8_t { sendfile, copy };
inline constexpr std::size_t kFileSendCount = 2;
std::string_view to_string(FileSend how) noexcept;

// Why an access stage refused a request (flotilla_requests_denied_total{reason}).
enum class DenyReason : std::uint8_t {
  denied_address,       // in a `deny:` list ("deny")
  not_allowed_address,  // outside an `allow:` list ("allow")
  method,               // not in the route's `methods:` (405)
  blocked,              // matched the route's `block:` filter ("block")
};
inline constexpr std::size_t kDenyReasonCount = 4;
std::string_view to_string(DenyReason reason) noexcept;

// Why a client connection was closed by a protection
// (flotilla_connections_refused_total{listener,reason}).
enum class ConnectionRefusal : std::uint8_t {
  listener_limit,  // the listener's max_connections
  client_limit,    // the listener's max_connections_per_client
  global_limit,    // the top-level max_connections
  proxy_header,    // a PROXY protocol header that was malformed, missing or late
  too_slow,        // a head or body slower than min_rate
  idle_shed,       // an idle keep-alive connection closed to make room near a cap
};
inline constexpr std::size_t kConnectionRefusalCount = 6;
std::string_view to_string(ConnectionRefusal reason) noexcept;

struct ListenerRefusals {
  std::string name;  // the listener's address
  std::array<std::uint64_t, kConnectionRefusalCount> refused{};
};
// What the response cache did with a request (X-Cache's values, lower case).
enum class CacheResult : std::uint8_t { hit, stale, miss, expired, bypass, revalidated };
inline constexpr std::size_t kCacheResultCount = 6;
std::string_view to_string(CacheResult result) noexcept;

// Shard-local series ids. 0 is always the unrouted route ("") and no endpoint.
inline constexpr std::uint32_t kNoSeries = 0;

// What one request leaves behind, filled in along the request path and recorded once when it
// ends. Lives in the request's workspace: reused, so the strings allocate only when they grow.
struct RequestRecord {
  std::chrono::steady_clock::time_point started{};
  bool open = false;  // counted in flight; recorded exactly once when finished
  http::Method method = http::Method::kOther;
  std::uint16_t status = 0;  // 0 at the end: the client left before any response (logged 499)
  std::uint32_t route = kNoSeries;
  std::uint32_t endpoint = kNoSeries;  // the last attempt's endpoint series
  std::uint32_t attempts = 0;
  bool hedged = false;  // a hedge went out for it (the access log marks it)
  // The rate limit that refused or delayed it (or would have: dry run); empty = none. A view of
  // the limit's name, which the route's stage (in the request's snapshot) keeps alive.
  std::string_view rate_limit;
  std::uint64_t bytes_in = 0;   // head bytes + request body payload bytes
  std::uint64_t bytes_out = 0;  // bytes written to the client
  std::string_view request_id;  // views into the workspace; empty = none
  std::string_view scheme;      // "http" / "https" (a constant), for the access log
  ClientProtocol protocol = ClientProtocol::http1;
  // Copied only while an access log is on (the head's buffer may be overwritten by then).
  std::string method_text;
  std::string target;

  void begin(std::chrono::steady_clock::time_point now) {
    started = now;
    open = false;
    method = http::Method::kOther;
    status = 0;
    route = kNoSeries;
    endpoint = kNoSeries;
    attempts = 0;
    hedged = false;
    rate_limit = {};
    bytes_in = 0;
    bytes_out = 0;
    request_id = {};
    scheme = {};
    protocol = ClientProtocol::http1;
    method_text.clear();
    target.clear();
  }
};

struct StatusCount {
  std::uint16_t status = 0;
  std::uint64_t count = 0;
};

struct RouteSeries {
  std::string name;
  std::array<std::vector<StatusCount>, kMethodCount> statuses;  // per method; few statuses each
  DurationHistogram duration;
  std::array<std::uint64_t, kDenyReasonCount> denied{};
  // flotilla_ratelimited_total by limit name (a route has one or two limits; found by a scan).
  std::vector<std::pair<std::string, std::uint64_t>> ratelimited;
};

// Tail-latency events of one upstream (flotilla_hedges_sent_total, ...).
enum class TailEvent : std::uint8_t {
  hedge_sent,       // a second try went to another endpoint after the hedge delay
  hedge_won,        // ... and its response head came first
  per_try_timeout,  // a try ended by retry.per_try_timeout
};
inline constexpr std::size_t kTailEventCount = 3;

struct UpstreamSeries {
  std::string name;
  std::array<std::uint64_t, kRetryReasonCount> retries{};
  std::array<std::uint64_t, kTailEventCount> tail{};
};

struct EndpointSeries {
  std::uint32_t upstream = 0;  // UpstreamSeries id
  std::string key;
  std::array<std::uint64_t, kAttemptOutcomeCount> requests{};
  std::array<std::uint64_t, kFailureReasonCount> failures{};
};

// Counts `count` requests the limit `limit` refused or delayed on `route` (allocates on the
// first one of a limit).
void add_ratelimited(RouteSeries& route, std::string_view limit, std::uint64_t count);

class MetricShard {
 public:
  MetricShard();

  // Interning: called when a snapshot is installed (may allocate), never per request. Ids stay
  // valid for the shard's lifetime, so series of removed routes or endpoints keep their counts.
  std::uint32_t route_series(std::string_view name);
  std::uint32_t upstream_series(std::string_view name);
  std::uint32_t endpoint_series(std::uint32_t upstream, std::string_view key);

  // The hot path. Allocates only the first time a (route, method, status) is seen.
  void request_started() noexcept { ++in_flight_; }
  void request_finished(const RequestRecord& record, std::chrono::nanoseconds duration);
  void attempt_finished(std::uint32_t endpoint, AttemptOutcome outcome) noexcept {
    ++endpoints_[endpoint].requests[static_cast<std::size_t>(outcome)];
  }
  void endpoint_failed(std::uint32_t endpoint, FailureReason reason) noexcept {
    ++endpoints_[endpoint].failures[static_cast<std::size_t>(reason)];
  }
  void retried(std::uint32_t upstream, config::RetryOn reason) noexcept {
    ++upstreams_[upstream].retries[static_cast<std::size_t>(reason)];
  }
  void tail_event(std::uint32_t upstream, TailEvent event) noexcept {
    ++upstreams_[upstream].tail[static_cast<std::size_t>(event)];
  }

  void tls_handshake(TlsProtocol protocol, TlsResult result, bool resumed) noexcept {
    ++tls_handshakes_[static_cast<std::size_t>(protocol)][static_cast<std::size_t>(result)];
    if (resumed) ++tls_resumed_[static_cast<std::size_t>(protocol)];
  }
  std::uint64_t tls_handshakes(TlsProtocol protocol, TlsResult result) const noexcept {
    return tls_handshakes_[static_cast<std::size_t>(protocol)][static_cast<std::size_t>(result)];
  }
  std::uint64_t tls_resumed(TlsProtocol protocol) const noexcept {
    return tls_resumed_[static_cast<std::size_t>(protocol)];
  }

  void http2_event(Http2Event event) noexcept { ++http2_events_[static_cast<std::size_t>(event)]; }
  // Compression in `coding`: `responses` started, `in` body bytes fed, `out` bytes made.
  void compressed(http::ContentCoding coding, std::uint64_t in, std::uint64_t out,
                  std::uint64_t responses) noexcept {
    CompressionCounts& c = compression_[static_cast<std::size_t>(coding)];
    c.responses += responses;
    c.bytes_in += in;
    c.bytes_out += out;
  }
  struct CompressionCounts {
    std::uint64_t responses = 0;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
  };
  const CompressionCounts& compression(http::ContentCoding coding) const noexcept {
    return compression_[static_cast<std::size_t>(coding)];
  }
  std::uint64_t http2_events(Http2Event event) const noexcept {
    return http2_events_[static_cast<std::size_t>(event)];
  }
  std::uint64_t requests_by_protocol(ClientProtocol protocol) const noexcept {
    return requests_by_protocol_[static_cast<std::size_t>(protocol)];
  }

  void static_file_bytes(FileSend how, std::uint64_t bytes) noexcept {
    static_file_bytes_[static_cast<std::size_t>(how)] += bytes;
  }
  std::uint64_t static_file_bytes(FileSend how) const noexcept {
    return static_file_bytes_[static_cast<std::size_t>(how)];
  }

  void request_denied(std::uint32_t route, DenyReason reason) noexcept {
    ++routes_[route < routes_.size() ? route : 0].denied[static_cast<std::size_t>(reason)];
  }
  // Listener series are interned once, when the worker starts (listeners live as long).
  std::uint32_t listener_series(std::string_view name);
  void rename_listener_series(std::uint32_t id, std::string_view name) {
    if (id < listeners_.size()) listeners_[id].name = name;
  }
  void connection_refused(std::uint32_t listener, ConnectionRefusal reason) noexcept {
    if (listener < listeners_.size()) {
      ++listeners_[listener].refused[static_cast<std::size_t>(reason)];
    }
  }
  const std::vector<ListenerRefusals>& listener_refusals() const noexcept { return listeners_; }
  void cache_request(CacheResult result) noexcept {
    ++cache_requests_[static_cast<std::size_t>(result)];
  }
  std::uint64_t cache_requests(CacheResult result) const noexcept {
    return cache_requests_[static_cast<std::size_t>(result)];
  }
  // A cache store's size on this worker, set when the worker copies its shard for a scrape.
  struct CacheStoreSize {
    std::string store;
    std::uint64_t bytes = 0;
    std::uint64_t objects = 0;
  };
  std::vector<CacheStoreSize>& cache_stores() noexcept { return cache_stores_; }
  const std::vector<CacheStoreSize>& cache_stores() const noexcept { return cache_stores_; }

  // Adds another shard's counts, matching series by name (shards intern in different orders).
  void merge(const MetricShard& other);

  const std::vector<RouteSeries>& routes() const noexcept { return routes_; }
  const std::vector<UpstreamSeries>& upstreams() const noexcept { return upstreams_; }
  const std::vector<EndpointSeries>& endpoints() const noexcept { return endpoints_; }
  std::int64_t in_flight() const noexcept { return in_flight_; }

 private:
  std::vector<RouteSeries> routes_;
  std::vector<UpstreamSeries> upstreams_;
  std::vector<EndpointSeries> endpoints_;
  std::vector<ListenerRefusals> listeners_;
  std::unordered_map<std::string, std::uint32_t> route_ids_;
  std::unordered_map<std::string, std::uint32_t> upstream_ids_;
  std::unordered_map<std::string, std::uint32_t> endpoint_ids_;  // "upstream id \0 key"
  std::int64_t in_flight_ = 0;
  std::array<std::array<std::uint64_t, kTlsResultCount>, kTlsProtocolCount> tls_handshakes_{};
  std::array<std::uint64_t, kTlsProtocolCount> tls_resumed_{};
  std::array<std::uint64_t, kHttp2EventCount> http2_events_{};
  std::array<CompressionCounts, kContentCodingCount> compression_{};
  std::array<std::uint64_t, kClientProtocolCount> requests_by_protocol_{};
  std::array<std::uint64_t, kFileSendCount> static_file_bytes_{};
  std::array<std::uint64_t, kCacheResultCount> cache_requests_{};
  std::vector<CacheStoreSize> cache_stores_;
};

}  // namespace flotilla::observe
