// The admin API's JSON of flotilla's state, one builder per piece (service, instance, rollout,
// upstream with its endpoints), shared by the whole status document and by its slices
// (/api/v1/services, /instances, /upstreams) so each piece reads the same everywhere.
// Presentation only: gathering the state is the caller's.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "observe/gateway_metrics.hpp"
#include "supervisor/operation_results.hpp"

namespace flotilla::app {

class Runtime;

// CPU % of each instance since the previous reading (keyed by instance key, reset when the
// pid changes): the status document and the slices share one so polling either keeps it fresh.
class CpuMeter {
 public:
  double percent(const std::string& key, int pid, double cpu_seconds);

 private:
  struct Sample {
    int pid = 0;
    double cpu_seconds = 0;
    std::chrono::steady_clock::time_point at;
    double percent = 0;
  };
  std::map<std::string, Sample> samples_;
};

nlohmann::json time_json(std::chrono::system_clock::time_point time);
nlohmann::json rollout_json(const supervisor::RolloutProgress& progress);
// {"key","index","state","pid","port","ready","uptime_seconds","restarts","revision",...}
nlohmann::json instance_json(const supervisor::InstanceStatus& instance, CpuMeter& cpu);
// {"name","revision","replicas","ready","worker","rollout","instances":[...]}
nlohmann::json service_json(const supervisor::ServiceStatus& service, CpuMeter& cpu);
// [{"name","balance","service","endpoints":[{"key","address","up","backup","in_flight",...}]}]
nlohmann::json upstreams_json(const Runtime& runtime,
                              const std::vector<observe::EndpointStats>& stats);

}  // namespace flotilla::app
