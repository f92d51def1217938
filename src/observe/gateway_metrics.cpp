#include "observe/gateway_metrics.hpp"

#include "config/retry_on.hpp"

#include <fmt/format.h>

namespace flotilla::observe {
namespace {

std::string format_bound(double bound) {
  return fmt::format("{}", bound);
}

void add(MetricFamily& f, std::string name, Labels labels, double value) {
  f.samples.push_back(Sample{std::move(name), std::move(labels), value});
}

MetricFamily requests_family(const MetricShard& totals) {
  MetricFamily f = family("http_requests_total",
                          "HTTP requests answered by the gateway, by method, status and route.",
                          MetricType::counter);
  for (const RouteSeries& route : totals.routes()) {
    for (std::size_t m = 0; m < kMethodCount; ++m) {
      const std::string method(method_label(static_cast<http::Method>(m)));
      for (const StatusCount& entry : route.statuses[m]) {
        add(f, f.name,
            {{"method", method},
             {"route", route.name},
             {"status", fmt::format("{}", entry.status)}},
            static_cast<double>(entry.count));
      }
    }
  }
  return f;
}

MetricFamily duration_family(const MetricShard& totals) {
  MetricFamily f = family("http_request_duration_seconds",
                          "Time from a request's first byte to the end of its response, by route.",
                          MetricType::histogram);
  for (const RouteSeries& route : totals.routes()) {
    const DurationHistogram& h = route.duration;
    if (h.count == 0) continue;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kDurationBounds.size(); ++i) {
      cumulative += h.counts[i];
      add(f, f.name + "_bucket", {{"le", format_bound(kDurationBounds[i])}, {"route", route.name}},
          static_cast<double>(cumulative));
    }
    add(f, f.name + "_bucket", {{"le", "+Inf"}, {"route", route.name}},
        static_cast<double>(h.count));
    add(f, f.name + "_sum", {{"route", route.name}}, static_cast<double>(h.sum_ns) / 1e9);
    add(f, f.name + "_count", {{"route", route.name}}, static_cast<double>(h.count));
  }
  return f;
}

const std::string& upstream_name(const MetricShard& totals, std::uint32_t id) {
  return totals.upstreams()[id].name;
}

MetricFamily upstream_requests_family(const MetricShard& totals) {
  MetricFamily f = family(
      "flotilla_upstream_requests_total",
      "Attempts sent to upstream endpoints, by outcome: the response's status class or the error.",
      MetricType::counter);
  const auto& endpoints = totals.endpoints();
  for (std::size_t e = 1; e < endpoints.size(); ++e) {
    const EndpointSeries& series = endpoints[e];
    for (std::size_t o = 0; o < kAttemptOutcomeCount; ++o) {
      if (series.requests[o] == 0) continue;
      add(f, f.name,
          {{"endpoint", series.key},
           {"outcome", std::string(to_string(static_cast<AttemptOutcome>(o)))},
           {"upstream", upstream_name(totals, series.upstream)}},
          static_cast<double>(series.requests[o]));
    }
  }
  return f;
}

MetricFamily upstream_failures_family(const MetricShard& totals) {
  MetricFamily f =
      family("flotilla_upstream_failures_total",
             "Attempts that counted as an endpoint failure for passive health, by reason.",
             MetricType::counter);
  const auto& endpoints = totals.endpoints();
  for (std::size_t e = 1; e < endpoints.size(); ++e) {
    const EndpointSeries& series = endpoints[e];
    for (std::size_t r = 0; r < kFailureReasonCount; ++r) {
      if (series.failures[r] == 0) continue;
      add(f, f.name,
          {{"endpoint", series.key},
           {"reason", std::string(to_string(static_cast<FailureReason>(r)))},
           {"upstream", upstream_name(totals, series.upstream)}},
          static_cast<double>(series.failures[r]));
    }
  }
  return f;
}

MetricFamily retries_family(const MetricShard& totals) {
  MetricFamily f =
      family("flotilla_retries_total",
             "Attempts made again on another endpoint, by the reason of the failed one.",
             MetricType::counter);
  const auto& upstreams = totals.upstreams();
  for (std::size_t u = 1; u < upstreams.size(); ++u) {
    for (std::size_t r = 0; r < kRetryReasonCount; ++r) {
      if (upstreams[u].retries[r] == 0) continue;
      add(f, f.name,
          {{"reason", std::string(config::kRetryOnNames[r])}, {"upstream", upstreams[u].name}},
          static_cast<double>(upstreams[u].retries[r]));
    }
  }
  return f;
}

MetricFamily tail_family(const MetricShard& totals, TailEvent event, std::string name,
                         std::string help) {
  MetricFamily f = family(std::move(name), std::move(help), MetricType::counter);
  const auto& upstreams = totals.upstreams();
  for (std::size_t u = 1; u < upstreams.size(); ++u) {
    add(f, f.name, {{"upstream", upstreams[u].name}},
        static_cast<double>(upstreams[u].tail[static_cast<std::size_t>(event)]));
  }
  return f;
}

MetricFamily latency_ejections_family(const GatewayStats& stats) {
  MetricFamily f = family("flotilla_latency_ejections_total",
                          "Endpoints ejected because their requests stalled or their latency was "
                          "an outlier (summed over workers; per endpoint of the current snapshot).",
                          MetricType::counter);
  for (const EndpointStats& endpoint : stats.endpoints) {
    add(f, f.name, {{"endpoint", endpoint.endpoint}, {"upstream", endpoint.upstream}},
        static_cast<double>(endpoint.latency_ejections));
  }
  return f;
}

MetricFamily endpoint_up_family(const GatewayStats& stats) {
  MetricFamily f =
      family("flotilla_endpoint_up",
             "1 when the gateway would send requests to the endpoint, else 0.", MetricType::gauge);
  for (const EndpointStats& endpoint : stats.endpoints) {
    add(f, f.name, {{"endpoint", endpoint.endpoint}, {"upstream", endpoint.upstream}},
        endpoint.up ? 1 : 0);
  }
  return f;
}

MetricFamily tls_handshakes_family(const MetricShard& totals) {
  MetricFamily f =
      family("flotilla_tls_handshakes_total",
             "TLS handshakes on client connections, by protocol and result.", MetricType::counter);
  for (std::size_t p = 0; p < kTlsProtocolCount; ++p) {
    for (std::size_t r = 0; r < kTlsResultCount; ++r) {
      const auto protocol = static_cast<TlsProtocol>(p);
      const auto result = static_cast<TlsResult>(r);
      const std::uint64_t count = totals.tls_handshakes(protocol, result);
      if (count == 0) continue;
      add(f, f.name,
          {{"protocol", std::string(to_string(protocol))},
           {"result", std::string(to_string(result))}},
          static_cast<double>(count));
    }
  }
  return f;
}

MetricFamily tls_resumed_family(const MetricShard& totals) {
  MetricFamily f =
      family("flotilla_tls_resumed_handshakes_total",
             "Successful TLS handshakes that resumed an earlier session.", MetricType::counter);
  for (std::size_t p = 1; p < kTlsProtocolCount; ++p) {
    const auto protocol = static_cast<TlsProtocol>(p);
    if (totals.tls_handshakes(protocol, TlsResult::ok) == 0) continue;
    add(f, f.name, {{"protocol", std::string(to_string(protocol))}},
        static_cast<double>(totals.tls_resumed(protocol)));
  }
  return f;
}

MetricFamily requests_by_protocol_family(const MetricShard& totals) {
  MetricFamily f =
      family("flotilla_http_requests_by_protocol_total",
             "Client requests finished, by the protocol the client spoke.", MetricType::counter);
  for (std::size_t p = 0; p < kClientProtocolCount; ++p) {
    const auto protocol = static_cast<ClientProtocol>(p);
    add(f, f.name, {{"protocol", std::string(to_string(protocol))}},
        static_cast<double>(totals.requests_by_protocol(protocol)));
  }
  return f;
}

MetricFamily http2_events_family(const MetricShard& totals) {
  MetricFamily f =
      family("flotilla_http2_events_total",
             "HTTP/2 connections and what their defences did, by event.", MetricType::counter);
  for (std::size_t e = 0; e < kHttp2EventCount; ++e) {
    const auto event = static_cast<Http2Event>(e);
    add(f, f.name, {{"event", std::string(to_string(event))}},
        static_cast<double>(totals.http2_events(event)));
  }
  return f;
}

// Compressed responses and their bytes before (`in`) and after (`out`) the encoder, per coding.
// The response cache: requests by result, and each store's bytes and objects (all workers).
void add_cache_families(const MetricShard& totals, MetricsView& view) {
  MetricFamily requests = family("flotilla_cache_requests_total",
                                 "Requests on cache routes, by what the cache did (hit, stale, "
                                 "miss, expired, bypass, revalidated).",
                                 MetricType::counter);
  for (std::size_t r = 0; r < kCacheResultCount; ++r) {
    const auto result = static_cast<CacheResult>(r);
    add(requests, requests.name, {{"result", std::string(to_string(result))}},
        static_cast<double>(totals.cache_requests(result)));
  }
  view.push_back(std::move(requests));
  MetricFamily bytes =
      family("flotilla_cache_bytes", "Bytes held by each cache store.", MetricType::gauge);
  MetricFamily objects =
      family("flotilla_cache_objects", "Responses held by each cache store.", MetricType::gauge);
  for (const MetricShard::CacheStoreSize& store : totals.cache_stores()) {
    add(bytes, bytes.name, {{"store", store.store}}, static_cast<double>(store.bytes));
    add(objects, objects.name, {{"store", store.store}}, static_cast<double>(store.objects));
  }
  view.push_back(std::move(bytes));
  view.push_back(std::move(objects));
}

void add_compression_families(const MetricShard& totals, MetricsView& view) {
  MetricFamily bytes = family("flotilla_compression_bytes_total",
                              "Response body bytes into (in) and out of (out) compression, by "
                              "coding.",
                              MetricType::counter);
  MetricFamily responses = family("flotilla_compression_responses_total",
                                  "Responses compressed, by coding.", MetricType::counter);
  for (const http::ContentCoding coding :
       {http::ContentCoding::kGzip, http::ContentCoding::kBrotli, http::ContentCoding::kZstd}) {
    const MetricShard::CompressionCounts& c = totals.compression(coding);
    const std::string name(http::coding_token(coding));
    add(bytes, bytes.name, {{"coding", name}, {"direction", "in"}},
        static_cast<double>(c.bytes_in));
    add(bytes, bytes.name, {{"coding", name}, {"direction", "out"}},
        static_cast<double>(c.bytes_out));
    add(responses, responses.name, {{"coding", name}}, static_cast<double>(c.responses));
  }
  view.push_back(std::move(bytes));
  view.push_back(std::move(responses));
}

// Requests the access stages refused, by route and reason (only the reasons that fired).
MetricFamily requests_denied_family(const MetricShard& totals) {
  MetricFamily f = family("flotilla_requests_denied_total",
                          "Requests refused by access rules (deny, allow), a route's methods "
                          "(method) or its block filter (block), by route.",
                          MetricType::counter);
  for (const RouteSeries& route : totals.routes()) {
    for (std::size_t d = 0; d < kDenyReasonCount; ++d) {
      if (route.denied[d] == 0) continue;
      add(f, f.name,
          {{"reason", std::string(to_string(static_cast<DenyReason>(d)))}, {"route", route.name}},
          static_cast<double>(route.denied[d]));
    }
  }
  return f;
}

// Connections closed by a protection, by listener and reason (every reason, so rates start at 0).
MetricFamily connections_refused_family(const MetricShard& totals) {
  MetricFamily f = family("flotilla_connections_refused_total",
                          "Client connections refused or closed by connection limits, PROXY "
                          "protocol checks or minimum transfer rates, by listener and reason.",
                          MetricType::counter);
  for (const ListenerRefusals& listener : totals.listener_refusals()) {
    for (std::size_t r = 0; r < kConnectionRefusalCount; ++r) {
      add(f, f.name,
          {{"listener", listener.name},
           {"reason", std::string(to_string(static_cast<ConnectionRefusal>(r)))}},
          static_cast<double>(listener.refused[r]));
    }
  }
  return f;
}

MetricFamily static_file_bytes_family(const MetricShard& totals) {
  MetricFamily f = family("flotilla_static_file_bytes_total",
                          "Static file body bytes sent, by how: sendfile (no copy) or copy "
                          "(read and written: TLS, HTTP/2).",
                          MetricType::counter);
  for (std::size_t h = 0; h < kFileSendCount; ++h) {
    const auto how = static_cast<FileSend>(h);
    add(f, f.name, {{"send", std::string(to_string(how))}},
        static_cast<double>(totals.static_file_bytes(how)));
  }
  return f;
}

MetricFamily ratelimited_family(const MetricShard& totals) {
  MetricFamily f = family("flotilla_ratelimited_total",
                          "Requests a rate limit refused or delayed (or, in dry run, would have), "
                          "by route and limit.",
                          MetricType::counter);
  for (const RouteSeries& route : totals.routes()) {
    for (const auto& [limit, count] : route.ratelimited) {
      add(f, f.name, {{"limit", limit}, {"route", route.name}}, static_cast<double>(count));
    }
  }
  return f;
}

MetricFamily single_gauge(std::string name, std::string help, double value) {
  MetricFamily f = family(std::move(name), std::move(help), MetricType::gauge);
  add(f, f.name, {}, value);
  return f;
}

}  // namespace

MetricsView gateway_metrics_view(const GatewayStats& stats) {
  MetricsView view;
  view.push_back(requests_family(stats.totals));
  view.push_back(duration_family(stats.totals));
  view.push_back(upstream_requests_family(stats.totals));
  view.push_back(upstream_failures_family(stats.totals));
  view.push_back(retries_family(stats.totals));
  view.push_back(ratelimited_family(stats.totals));
  view.push_back(tail_family(stats.totals, TailEvent::hedge_sent, "flotilla_hedges_sent_total",
                             "Hedged tries: a request with no response head after the hedge "
                             "delay also sent to another endpoint."));
  view.push_back(tail_family(stats.totals, TailEvent::hedge_won, "flotilla_hedges_won_total",
                             "Hedged tries whose response head came first."));
  view.push_back(tail_family(stats.totals, TailEvent::per_try_timeout,
                             "flotilla_per_try_timeouts_total",
                             "Tries ended by the route's retry.per_try_timeout."));
  view.push_back(latency_ejections_family(stats));
  view.push_back(endpoint_up_family(stats));
  view.push_back(single_gauge("flotilla_in_flight_requests",
                              "Requests the gateway is handling now.",
                              static_cast<double>(stats.totals.in_flight())));
  view.push_back(single_gauge("flotilla_active_connections", "Client connections open now.",
                              static_cast<double>(stats.active_connections)));
  view.push_back(tls_handshakes_family(stats.totals));
  view.push_back(tls_resumed_family(stats.totals));
  view.push_back(requests_by_protocol_family(stats.totals));
  view.push_back(http2_events_family(stats.totals));
  add_compression_families(stats.totals, view);
  add_cache_families(stats.totals, view);
  view.push_back(static_file_bytes_family(stats.totals));
  view.push_back(requests_denied_family(stats.totals));
  view.push_back(connections_refused_family(stats.totals));
  return view;
}

}  // namespace flotilla::observe
