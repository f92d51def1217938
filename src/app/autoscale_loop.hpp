// The autoscaler at work in `flotilla up`: every service with `autoscale:` is evaluated each
// sync_period on the control thread from the supervisor's instance readings (cgroup CPU and
// memory) and the gateway's per-instance requests, and its count changed with
// Supervisor::scale. Keeps each service's decisions for status, the API, metrics and the
// dashboard. Wiring only: the HPA arithmetic is src/autoscale/'s.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "autoscale/autoscaler.hpp"
#include "autoscale/metric_sampler.hpp"
#include "observe/sample.hpp"

namespace flotilla::app {

class Runtime;

class AutoscaleLoop {
 public:
  explicit AutoscaleLoop(Runtime& runtime);
  ~AutoscaleLoop();  // stops
  AutoscaleLoop(const AutoscaleLoop&) = delete;
  AutoscaleLoop& operator=(const AutoscaleLoop&) = delete;

  void start();
  void stop();

  // The service's "autoscale" object for status and the API, or null when it has none.
  nlohmann::json service_json(const std::string& service) const;
  // flotilla_autoscaler_* families (one series set per autoscaled service).
  void append_metrics(observe::MetricsView& view) const;

  struct State;  // defined in the .cpp, shared with the running loop

 private:
  std::shared_ptr<State> state_;
};

}  // namespace flotilla::app
