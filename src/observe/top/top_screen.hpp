// What `flotilla top` shows, as pure functions of two admin-API status documents
// (GET /api/v1/status) taken some time apart: per-instance rows (CPU %, memory, requests/s from
// the upstream endpoint with the instance's key, in-flight, errors) and their text table or
// JSON. No I/O and no clock: the command (app/top_command.cpp) fetches and times the samples.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flotilla::observe {

struct TopSample {
  nlohmann::json status;  // {"services":[{"name","instances":[...]}],"upstreams":[...]}
  std::chrono::steady_clock::time_point taken;
};

struct TopRow {
  std::string key;                    // "web/2"
  std::string state;                  // as the supervisor reports it: "ready", "starting", ...
  std::optional<double> cpu_percent;  // of one core
  std::optional<double> memory_bytes;
  std::optional<double> memory_limit_bytes;   // none: unlimited
  std::optional<double> requests_per_second;  // none until two samples
  std::optional<double> in_flight;  // none: the instance is not an endpoint of any upstream
  // 5xx answers and broken attempts (connect error, reset, timeout, invalid header) per second;
  // none until two samples.
  std::optional<double> errors_per_second;
  std::uint64_t restarts = 0;
};

// One row per instance, in the status document's order. With `previous`, CPU % and requests/s
// come from the counters' change over the time between the samples.
std::vector<TopRow> top_rows(const TopSample& now, const TopSample* previous);

// The table, one line per row under a header, like `docker stats`.
std::string render_top_table(const std::vector<TopRow>& rows);

// [{"instance","state","cpu_percent","memory_bytes",...}], null for unknown values.
nlohmann::json top_rows_json(const std::vector<TopRow>& rows);

// "512MiB", "1.5GiB", "800KiB", "-" for none.
std::string format_bytes(std::optional<double> bytes);

// OBJECT[KEY] when OBJECT is an object and that member a number; otherwise nothing.
std::optional<double> json_number(const nlohmann::json& object, const char* key);

}  // namespace flotilla::observe
