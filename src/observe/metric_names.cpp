#include "observe/metric_names.hpp"

#include <algorithm>
#include <array>

namespace flotilla::observe {
namespace {

// Kept true by tests/unit/observe/metric_names_test.cpp (against the families observe builds)
// and by the families' own files (gateway/gateway.cpp, app/autoscale_loop.cpp).
constexpr std::array<std::string_view, 45> kFamilies{
    // gateway (observe/gateway_metrics.cpp, gateway/gateway.cpp)
    "http_requests_total",
    "http_request_duration_seconds",
    "flotilla_upstream_requests_total",
    "flotilla_upstream_failures_total",
    "flotilla_retries_total",
    "flotilla_ratelimited_total",
    "flotilla_hedges_sent_total",
    "flotilla_hedges_won_total",
    "flotilla_per_try_timeouts_total",
    "flotilla_latency_ejections_total",
    "flotilla_endpoint_up",
    "flotilla_in_flight_requests",
    "flotilla_active_connections",
    "flotilla_tls_handshakes_total",
    "flotilla_tls_resumed_handshakes_total",
    "flotilla_crash_suspect_requests_total",
    "flotilla_crash_refused_requests_total",
    "flotilla_http_requests_by_protocol_total",
    "flotilla_http2_events_total",
    "flotilla_compression_bytes_total",
    "flotilla_compression_responses_total",
    "flotilla_static_file_bytes_total",
    "flotilla_requests_denied_total",
    "flotilla_connections_refused_total",
    "flotilla_cache_requests_total",
    "flotilla_cache_bytes",
    "flotilla_cache_objects",
    // instances (observe/instance_metrics.cpp)
    "flotilla_instance_restarts_total",
    "flotilla_instance_state",
    "flotilla_instance_up",
    "flotilla_instance_cpu_seconds_total",
    "flotilla_instance_memory_bytes",
    "flotilla_instance_memory_limit_bytes",
    // autoscaler (app/autoscale_loop.cpp)
    "flotilla_autoscaler_current_replicas",
    "flotilla_autoscaler_desired_replicas",
    "flotilla_autoscaler_min_replicas",
    "flotilla_autoscaler_max_replicas",
    "flotilla_autoscaler_metric_value",
    "flotilla_autoscaler_metric_target",
    "flotilla_autoscaler_scale_events_total",
    // certificates and ACME (observe/certificate_metrics.cpp)
    "flotilla_certificate_expiry_timestamp_seconds",
    "flotilla_certificate_renewal_failing",
    "flotilla_certificate_temporary",
    "flotilla_acme_orders_total",
    "flotilla_acme_orders_running",
};

constexpr std::array<std::string_view, 1> kHistograms{"http_request_duration_seconds"};

bool is_family(std::string_view name) {
  return std::find(kFamilies.begin(), kFamilies.end(), name) != kFamilies.end();
}

}  // namespace

std::span<const std::string_view> exported_metric_families() {
  return kFamilies;
}

bool is_exported_metric(std::string_view series) {
  if (is_family(series)) return true;
  for (const std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (series.size() <= suffix.size() || !series.ends_with(suffix)) continue;
    const std::string_view base = series.substr(0, series.size() - suffix.size());
    if (std::find(kHistograms.begin(), kHistograms.end(), base) != kHistograms.end()) return true;
  }
  return false;
}

}  // namespace flotilla::observe
