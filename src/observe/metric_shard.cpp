#include "observe/metric_shard.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "http/header_names.hpp"

namespace flotilla::observe {
namespace {

constexpr std::array<std::string_view, kAttemptOutcomeCount> kOutcomeNames = {
    "1xx",      "2xx", "3xx", "4xx", "5xx", "connect_error", "reset", "timeout", "invalid_header",
    "cancelled"};

constexpr std::array<std::string_view, kFailureReasonCount> kFailureNames = {
    "connect_error", "reset",    "timeout",  "invalid_header", "http_500",
    "http_502",      "http_503", "http_504", "http_429"};

// nginx logs 499 for a request whose client closed the connection before the response.
constexpr std::uint16_t kClientClosed = 499;

std::uint32_t intern(std::unordered_map<std::string, std::uint32_t>& ids, std::string key,
                     std::size_t next) {
  const auto [it, inserted] = ids.try_emplace(std::move(key), static_cast<std::uint32_t>(next));
  return it->second;
}

}  // namespace

std::string_view method_label(http::Method method) noexcept {
  return method == http::Method::kOther ? std::string_view("OTHER") : http::to_string(method);
}

std::string_view to_string(AttemptOutcome outcome) noexcept {
  return kOutcomeNames[static_cast<std::size_t>(outcome)];
}

AttemptOutcome outcome_of_status(int status) noexcept {
  if (status < 200) return AttemptOutcome::status_1xx;
  if (status < 300) return AttemptOutcome::status_2xx;
  if (status < 400) return AttemptOutcome::status_3xx;
  if (status < 500) return AttemptOutcome::status_4xx;
  return AttemptOutcome::status_5xx;
}

std::string_view to_string(FailureReason reason) noexcept {
  return kFailureNames[static_cast<std::size_t>(reason)];
}

MetricShard::MetricShard() {
  // Id 0 of each kind: the unrouted route (rendered route=""), and placeholders that are never
  // rendered, so a record that never reached an upstream can say kNoSeries.
  routes_.emplace_back();
  route_ids_.emplace("", 0);
  upstreams_.emplace_back();
  endpoints_.emplace_back();
}

std::uint32_t MetricShard::route_series(std::string_view name) {
  const std::uint32_t id = intern(route_ids_, std::string(name), routes_.size());
  if (id == routes_.size()) routes_.push_back(RouteSeries{std::string(name), {}, {}, {}, {}});
  return id;
}

std::uint32_t MetricShard::upstream_series(std::string_view name) {
  const std::uint32_t id = intern(upstream_ids_, std::string(name), upstreams_.size());
  if (id == upstreams_.size()) upstreams_.push_back(UpstreamSeries{std::string(name), {}});
  return id;
}

std::uint32_t MetricShard::endpoint_series(std::uint32_t upstream, std::string_view key) {
  std::string id_key = fmt::format("{}", upstream);
  id_key += '\0';
  id_key += key;
  const std::uint32_t id = intern(endpoint_ids_, std::move(id_key), endpoints_.size());
  if (id == endpoints_.size())
    endpoints_.push_back(EndpointSeries{upstream, std::string(key), {}, {}});
  return id;
}

void add_ratelimited(RouteSeries& route, std::string_view limit, std::uint64_t count) {
  for (auto& [name, total] : route.ratelimited) {
    if (name == limit) {
      total += count;
      return;
    }
  }
  route.ratelimited.emplace_back(std::string(limit), count);
}

void MetricShard::request_finished(const RequestRecord& record, std::chrono::nanoseconds duration) {
  --in_flight_;
  ++requests_by_protocol_[static_cast<std::size_t>(record.protocol)];
  RouteSeries& route = routes_[record.route < routes_.size() ? record.route : 0];
  const std::uint16_t status = record.status == 0 ? kClientClosed : record.status;
  std::vector<StatusCount>& statuses = route.statuses[static_cast<std::size_t>(record.method)];
  bool counted = false;
  for (StatusCount& entry : statuses) {
    if (entry.status == status) {
      ++entry.count;
      counted = true;
      break;
    }
  }
  if (!counted) statuses.push_back({status, 1});
  route.duration.observe(duration);
  if (!record.rate_limit.empty()) add_ratelimited(route, record.rate_limit, 1);
}

std::uint32_t MetricShard::listener_series(std::string_view name) {
  for (std::uint32_t i = 0; i < listeners_.size(); ++i) {
    if (listeners_[i].name == name) return i;
  }
  listeners_.push_back(ListenerRefusals{std::string(name), {}});
  return static_cast<std::uint32_t>(listeners_.size() - 1);
}

void MetricShard::merge(const MetricShard& other) {
  for (const ListenerRefusals& theirs : other.listeners_) {
    ListenerRefusals& mine = listeners_[listener_series(theirs.name)];
    for (std::size_t r = 0; r < kConnectionRefusalCount; ++r) mine.refused[r] += theirs.refused[r];
  }
  for (const RouteSeries& theirs : other.routes_) {
    RouteSeries& mine = routes_[route_series(theirs.name)];
    for (std::size_t d = 0; d < kDenyReasonCount; ++d) mine.denied[d] += theirs.denied[d];
    for (std::size_t m = 0; m < kMethodCount; ++m) {
      for (const StatusCount& entry : theirs.statuses[m]) {
        bool counted = false;
        for (StatusCount& own : mine.statuses[m]) {
          if (own.status == entry.status) {
            own.count += entry.count;
            counted = true;
            break;
          }
        }
        if (!counted) mine.statuses[m].push_back(entry);
      }
    }
    mine.duration.merge(theirs.duration);
    for (const auto& [limit, count] : theirs.ratelimited) add_ratelimited(mine, limit, count);
  }
  std::vector<std::uint32_t> upstream_map(other.upstreams_.size(), 0);
  for (std::size_t u = 1; u < other.upstreams_.size(); ++u) {
    const UpstreamSeries& theirs = other.upstreams_[u];
    upstream_map[u] = upstream_series(theirs.name);
    UpstreamSeries& mine = upstreams_[upstream_map[u]];
    for (std::size_t r = 0; r < kRetryReasonCount; ++r) mine.retries[r] += theirs.retries[r];
    for (std::size_t t = 0; t < kTailEventCount; ++t) mine.tail[t] += theirs.tail[t];
  }
  for (std::size_t e = 1; e < other.endpoints_.size(); ++e) {
    const EndpointSeries& theirs = other.endpoints_[e];
    EndpointSeries& mine = endpoints_[endpoint_series(upstream_map[theirs.upstream], theirs.key)];
    for (std::size_t o = 0; o < kAttemptOutcomeCount; ++o) mine.requests[o] += theirs.requests[o];
    for (std::size_t f = 0; f < kFailureReasonCount; ++f) mine.failures[f] += theirs.failures[f];
  }
  in_flight_ += other.in_flight_;
  for (std::size_t p = 0; p < kTlsProtocolCount; ++p) {
    for (std::size_t r = 0; r < kTlsResultCount; ++r) {
      tls_handshakes_[p][r] += other.tls_handshakes_[p][r];
    }
    tls_resumed_[p] += other.tls_resumed_[p];
  }
  for (std::size_t e = 0; e < kHttp2EventCount; ++e) http2_events_[e] += other.http2_events_[e];
  for (std::size_t c = 0; c < kContentCodingCount; ++c) {
    compression_[c].responses += other.compression_[c].responses;
    compression_[c].bytes_in += other.compression_[c].bytes_in;
    compression_[c].bytes_out += other.compression_[c].bytes_out;
  }
  for (std::size_t p = 0; p < kClientProtocolCount; ++p) {
    requests_by_protocol_[p] += other.requests_by_protocol_[p];
  }
  for (std::size_t h = 0; h < kFileSendCount; ++h) {
    static_file_bytes_[h] += other.static_file_bytes_[h];
  }
  for (std::size_t r = 0; r < kCacheResultCount; ++r)
    cache_requests_[r] += other.cache_requests_[r];
  for (const CacheStoreSize& theirs : other.cache_stores_) {
    auto mine = std::find_if(cache_stores_.begin(), cache_stores_.end(),
                             [&](const CacheStoreSize& s) { return s.store == theirs.store; });
    if (mine == cache_stores_.end()) {
      cache_stores_.push_back(theirs);
    } else {
      mine->bytes += theirs.bytes;
      mine->objects += theirs.objects;
    }
  }
}

std::string_view to_string(DenyReason reason) noexcept {
  switch (reason) {
    case DenyReason::denied_address:
      return "deny";
    case DenyReason::not_allowed_address:
      return "allow";
    case DenyReason::method:
      return "method";
    case DenyReason::blocked:
      return "block";
  }
  return "unknown";
}

std::string_view to_string(ConnectionRefusal reason) noexcept {
  switch (reason) {
    case ConnectionRefusal::listener_limit:
      return "listener_limit";
    case ConnectionRefusal::client_limit:
      return "client_limit";
    case ConnectionRefusal::global_limit:
      return "global_limit";
    case ConnectionRefusal::proxy_header:
      return "proxy_header";
    case ConnectionRefusal::too_slow:
      return "too_slow";
    case ConnectionRefusal::idle_shed:
      return "idle_shed";
  }
  return "unknown";
}

std::string_view to_string(FileSend how) noexcept {
  return how == FileSend::sendfile ? "sendfile" : "copy";
}

std::string_view to_string(CacheResult result) noexcept {
  static constexpr std::array<std::string_view, kCacheResultCount> kNames{
      "hit", "stale", "miss", "expired", "bypass", "revalidated"};
  return kNames[static_cast<std::size_t>(result)];
}

std::string_view to_string(ClientProtocol protocol) noexcept {
  return protocol == ClientProtocol::http2 ? "h2" : "http/1.1";
}

std::string_view to_string(Http2Event event) noexcept {
  static constexpr std::array<std::string_view, kHttp2EventCount> kNames{
      "connection",          "stream_refused", "header_list_too_large", "rapid_reset",
      "continuation_flood",  "ping_flood",     "settings_flood",        "empty_data_flood",
      "window_update_flood", "protocol_error", "idle_timeout",          "goaway_drain"};
  return kNames[static_cast<std::size_t>(event)];
}

std::string_view to_string(TlsProtocol protocol) noexcept {
  switch (protocol) {
    case TlsProtocol::tls1_2:
      return "TLSv1.2";
    case TlsProtocol::tls1_3:
      return "TLSv1.3";
    case TlsProtocol::none:
      break;
  }
  return "none";
}

TlsProtocol tls_protocol_of(std::string_view version) noexcept {
  if (version == "TLSv1.3") return TlsProtocol::tls1_3;
  if (version == "TLSv1.2") return TlsProtocol::tls1_2;
  return TlsProtocol::none;
}

std::string_view to_string(TlsResult result) noexcept {
  switch (result) {
    case TlsResult::ok:
      return "ok";
    case TlsResult::failed:
      return "failed";
    case TlsResult::timeout:
      return "timeout";
    case TlsResult::rejected:
      return "rejected";
  }
  return "failed";
}

}  // namespace flotilla::observe
