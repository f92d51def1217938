// `flotilla top`'s rows from two status documents: CPU % and requests/s from counter deltas,
// endpoints joined to instances by key, and the table/JSON forms.
#include "observe/top/top_screen.hpp"

#include <gtest/gtest.h>

namespace flotilla::observe {
namespace {

using namespace std::chrono_literals;

nlohmann::json status(double cpu_seconds, double requests, double errors = 0) {
  return nlohmann::json::parse(R"({
    "services": [
      {"name": "web", "instances": [
        {"key": "web/1", "state": "ready", "pid": 10, "port": 8001, "ready": true,
         "cpu_percent": 3.0, "cpu_seconds": )" +
                               std::to_string(cpu_seconds) + R"(,
         "memory_bytes": 52428800, "memory_limit_bytes": 536870912, "restarts": 2},
        {"key": "web/2", "state": "starting", "pid": 11, "port": 8002, "ready": false,
         "cpu_seconds": 1.0, "memory_bytes": 1024, "memory_limit_bytes": null, "restarts": 0}]},
      {"name": "worker", "instances": [
        {"key": "worker/1", "state": "running", "cpu_seconds": 0.5, "memory_bytes": 2048}]}
    ],
    "upstreams": [
      {"name": "app", "endpoints": [
        {"key": "web/1", "address": "127.0.0.1:8001", "up": true, "in_flight": 3, "fails": 1,
         "errors": )" + std::to_string(errors) +
                               R"(, "requests": )" + std::to_string(requests) +
                               R"(},
        {"key": "10.0.0.5:80", "address": "10.0.0.5:80", "up": true, "in_flight": 0,
         "fails": 0, "requests": 5}]},
      {"name": "admin", "endpoints": [
        {"key": "web/1", "address": "127.0.0.1:8001", "up": true, "in_flight": 1, "fails": 0,
         "requests": 10}]}
    ]})");
}

TEST(TopScreen, ComputesRatesBetweenSamples) {
  const auto t0 = std::chrono::steady_clock::time_point{} + 100s;
  const TopSample before{status(10.0, 100), t0};
  const TopSample after{status(11.0, 300, 50), t0 + 2s};
  const std::vector<TopRow> rows = top_rows(after, &before);
  ASSERT_EQ(rows.size(), 3u);
  const TopRow& web1 = rows[0];
  EXPECT_EQ(web1.key, "web/1");
  EXPECT_EQ(web1.state, "ready");
  EXPECT_DOUBLE_EQ(*web1.cpu_percent, 50.0);           // 1 CPU second over 2 s
  EXPECT_DOUBLE_EQ(*web1.requests_per_second, 100.0);  // (300 + 10) - (100 + 10) over 2 s
  EXPECT_DOUBLE_EQ(*web1.in_flight, 4.0);              // summed over both upstreams
  EXPECT_DOUBLE_EQ(*web1.errors_per_second, 25.0);     // 50 errors over 2 s, not `fails`
  EXPECT_EQ(web1.restarts, 2u);
  EXPECT_DOUBLE_EQ(*web1.memory_limit_bytes, 536870912.0);
  EXPECT_FALSE(rows[1].memory_limit_bytes);  // null: unlimited
  EXPECT_FALSE(rows[1].in_flight);           // not an endpoint (yet)
  EXPECT_DOUBLE_EQ(*rows[1].cpu_percent, 0.0);
  EXPECT_EQ(rows[2].key, "worker/1");
}

TEST(TopScreen, FirstSampleHasNoRatesButKeepsReportedCpu) {
  const std::vector<TopRow> rows = top_rows({status(10.0, 100), {}}, nullptr);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_DOUBLE_EQ(*rows[0].cpu_percent, 3.0);
  EXPECT_FALSE(rows[0].requests_per_second);
  EXPECT_FALSE(rows[1].cpu_percent);
}

TEST(TopScreen, RendersATableAndJson) {
  const auto t0 = std::chrono::steady_clock::time_point{} + 100s;
  const TopSample before{status(10.0, 100), t0};
  const std::vector<TopRow> rows = top_rows({status(10.5, 120, 3), t0 + 1s}, &before);
  const std::string table = render_top_table(rows);
  EXPECT_EQ(table.substr(0, table.find('\n')),
            "SERVICE/INSTANCE     STATE        CPU %        MEM  MEM LIMIT    REQ/S IN-FLIGHT  "
            " ERR/S RESTARTS");
  EXPECT_NE(table.find("web/1                ready        50.0%    50.0MiB   512.0MiB     20.0     "
                       "    4     3.0        2"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("worker/1"), std::string::npos);
  const nlohmann::json json = top_rows_json(rows);
  EXPECT_EQ(json[0]["instance"], "web/1");
  EXPECT_EQ(json[0]["requests_per_second"], 20.0);
  EXPECT_EQ(json[0]["errors_per_second"], 3.0);
  EXPECT_TRUE(json[1]["memory_limit_bytes"].is_null());
  EXPECT_EQ(render_top_table({}),
            std::string(table.substr(0, table.find('\n') + 1)) + "(no instances)\n");
}

TEST(TopScreen, FormatsBytes) {
  EXPECT_EQ(format_bytes(512), "512B");
  EXPECT_EQ(format_bytes(1536), "1.50KiB");
  EXPECT_EQ(format_bytes(512.0 * 1024 * 1024), "512.0MiB");
  EXPECT_EQ(format_bytes(std::nullopt), "-");
}

}  // namespace
}  // namespace flotilla::observe
