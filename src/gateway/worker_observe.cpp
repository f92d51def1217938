// The worker's metrics and access-log duties: interning series when a snapshot arrives, counting
// finished requests and attempts into the worker's own shard, copying it for a scrape, batching
// access-log lines. Kept apart from worker.cpp so the request path's files stay about requests.
#include "gateway/stages/cache_route.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {
namespace {

using observe::AttemptOutcome;
using observe::FailureReason;
using upstream::OutcomeKind;

// FailureReason lists the status conditions in config::RetryOn's order, one place later (it
// splits RetryOn::error into connect_error and reset).
static_assert(static_cast<int>(FailureReason::http_500) ==
                  static_cast<int>(config::RetryOn::http_500) + 1 &&
              static_cast<int>(FailureReason::http_429) ==
                  static_cast<int>(config::RetryOn::http_429) + 1);

std::optional<FailureReason> status_failure(int status) {
  const std::optional<config::RetryOn> reason = config::retry_on_status(status);
  if (!reason) return std::nullopt;
  return static_cast<FailureReason>(static_cast<int>(*reason) + 1);
}

}  // namespace

void Worker::intern_series() {
  route_series_.clear();
  for (const RouteTarget& route : snapshot_->routes) {
    route_series_.push_back(metrics_.route_series(route.name));
  }
  for (WorkerUpstream* upstream : by_index_) {
    const upstream::UpstreamState& state = upstream->state;
    upstream->series = metrics_.upstream_series(state.spec().name);
    upstream->endpoint_series.clear();
    for (std::size_t i = 0; i < state.size(); ++i) {
      upstream->endpoint_series.push_back(
          metrics_.endpoint_series(upstream->series, state.endpoint(i).key));
    }
  }
}

void Worker::record_attempt(std::uint32_t endpoint, const upstream::Outcome& outcome) {
  switch (outcome.kind) {
    case OutcomeKind::response:
      metrics_.attempt_finished(endpoint, observe::outcome_of_status(outcome.status));
      if (outcome.status_is_failure) {
        if (const auto reason = status_failure(outcome.status)) {
          metrics_.endpoint_failed(endpoint, *reason);
        }
      }
      return;
    case OutcomeKind::connect_error:
      metrics_.attempt_finished(endpoint, AttemptOutcome::connect_error);
      metrics_.endpoint_failed(endpoint, FailureReason::connect_error);
      return;
    case OutcomeKind::reset:
      metrics_.attempt_finished(endpoint, AttemptOutcome::reset);
      metrics_.endpoint_failed(endpoint, FailureReason::reset);
      return;
    case OutcomeKind::timeout:
      metrics_.attempt_finished(endpoint, AttemptOutcome::timeout);
      metrics_.endpoint_failed(endpoint, FailureReason::timeout);
      return;
    case OutcomeKind::invalid_header:
      metrics_.attempt_finished(endpoint, AttemptOutcome::invalid_header);
      metrics_.endpoint_failed(endpoint, FailureReason::invalid_header);
      return;
    case OutcomeKind::cancelled:
      metrics_.attempt_finished(endpoint, AttemptOutcome::cancelled);
      return;
  }
}

void Worker::finish_request(observe::RequestRecord& record, std::string_view client_ip) {
  if (!record.open) return;
  record.open = false;
  const auto duration = std::chrono::steady_clock::now() - record.started;
  metrics_.request_finished(record, duration);
  if (!access_log_) return;
  observe::AccessLogEntry entry;
  entry.time = std::chrono::system_clock::now();
  entry.client = client_ip;
  entry.scheme = record.scheme;
  entry.protocol =
      record.protocol == observe::ClientProtocol::http2 ? "HTTP/2" : std::string_view("HTTP/1.1");
  entry.method = record.method_text.empty() ? observe::method_label(record.method)
                                            : std::string_view(record.method_text);
  entry.path = record.target;
  entry.status = record.status == 0 ? 499 : record.status;
  entry.bytes_in = record.bytes_in;
  entry.bytes_out = record.bytes_out;
  entry.duration = duration;
  if (record.endpoint != observe::kNoSeries) {
    entry.upstream = metrics_.endpoints()[record.endpoint].key;
  }
  entry.attempts = record.attempts;
  entry.hedged = record.hedged;
  entry.request_id = record.request_id;
  entry.route = metrics_.routes()[record.route].name;
  entry.rate_limit = record.rate_limit;
  access_log_->append(entry);
}

WorkerStats Worker::stats() const {
  WorkerStats stats;
  stats.shard = metrics_;
  report_cache_stores(stats.shard.cache_stores());
  stats.active_connections = connection_total_;
  const auto now = std::chrono::steady_clock::now();
  for (const WorkerUpstream* upstream : by_index_) {
    const upstream::UpstreamState& state = upstream->state;
    const auto p99 = static_cast<std::uint64_t>(state.latency().percentile(0.99, now).count());
    const std::uint32_t samples = state.latency().count(now);
    for (std::size_t i = 0; i < state.size(); ++i) {
      stats.endpoints.push_back(
          {state.spec().name, state.endpoint(i).key, state.status(i, now), p99, samples});
    }
  }
  return stats;
}

void Worker::enable_access_log(observe::AccessLogWriter& writer) {
  access_log_ = std::make_unique<observe::AccessLogBuffer>(writer);
  access_log_timer_.emplace(context_);
  schedule_access_log_flush();
}

void Worker::schedule_access_log_flush() {
  access_log_timer_->expires_after(observe::AccessLogBuffer::kFlushInterval);
  access_log_timer_->async_wait([this](std::error_code ec) {
    if (ec) return;
    access_log_->flush();
    schedule_access_log_flush();
  });
}

}  // namespace flotilla::gateway
