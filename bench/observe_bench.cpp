// Microbenchmarks of the metrics and access-log hot path: what one proxied request adds to a
// worker (begin a record, count the attempt, finish the request), with and without an access-log
// line. One iteration = one request, so time/iteration is ns per request.
#include <benchmark/benchmark.h>

#include <chrono>

#include "observe/access_log_line.hpp"
#include "observe/metric_shard.hpp"

namespace {

using namespace flotilla::observe;

struct Fixture {
  MetricShard shard;
  std::uint32_t route = 0;
  std::uint32_t endpoint = 0;
  RequestRecord record;
  Fixture() {
    shard.route_series("/");
    route = shard.route_series("/api/");
    const std::uint32_t upstream = shard.upstream_series("app");
    for (int i = 0; i < 4; ++i) {
      endpoint = shard.endpoint_series(upstream, "127.0.0.1:800" + std::to_string(i));
    }
  }
  void one_request(std::chrono::steady_clock::time_point now, std::uint16_t status) {
    record.begin(now);
    record.open = true;
    shard.request_started();
    record.method = flotilla::http::Method::kGet;
    record.route = route;
    record.endpoint = endpoint;
    record.status = status;
    shard.attempt_finished(endpoint, outcome_of_status(status));
    shard.request_finished(record, std::chrono::microseconds(900));
  }
};

void BM_RecordRequest(benchmark::State& state) {
  Fixture f;
  const auto now = std::chrono::steady_clock::now();
  std::uint16_t statuses[] = {200, 200, 200, 404, 200, 500, 200, 304};
  std::size_t i = 0;
  for (auto _ : state) {
    f.one_request(now, statuses[i++ & 7]);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_RecordRequest);

// The two clock reads a request pays (start and end).
void BM_RecordRequestWithClocks(benchmark::State& state) {
  Fixture f;
  for (auto _ : state) {
    f.one_request(std::chrono::steady_clock::now(), 200);
    benchmark::DoNotOptimize(std::chrono::steady_clock::now());
  }
}
BENCHMARK(BM_RecordRequestWithClocks);

void BM_AccessLogLine(benchmark::State& state) {
  std::string batch;
  batch.reserve(64 * 1024);
  Rfc3339Clock clock;
  AccessLogEntry entry;
  entry.client = "203.0.113.7";
  entry.method = "GET";
  entry.path = "/products/widgets?category=tools&sort=price_asc&page=2";
  entry.status = 200;
  entry.bytes_in = 712;
  entry.bytes_out = 1834;
  entry.duration = std::chrono::microseconds(1234);
  entry.upstream = "127.0.0.1:8001";
  entry.attempts = 1;
  entry.request_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  entry.route = "/";
  for (auto _ : state) {
    if (batch.size() > 60 * 1024) batch.clear();
    entry.time = std::chrono::system_clock::now();
    append_access_log_line(batch, entry, clock);
    benchmark::DoNotOptimize(batch.data());
  }
}
BENCHMARK(BM_AccessLogLine);

}  // namespace
