// The live dashboard on the admin listener: the page at / and its embedded assets under
// /dashboard/, and GET /api/v1/dashboard (the chart points of the last minutes plus the status
// document) that the page polls. Keeps the traffic history, fed by each metrics refresh.
// Read-only: it never changes the fleet, and has no route that could.
#pragma once

#include <nlohmann/json.hpp>

#include "admin/router.hpp"
#include "dashboard/history.hpp"
#include "observe/sample.hpp"

namespace flotilla::app {

class Runtime;
class RuntimeOperations;

class DashboardEndpoint {
 public:
  DashboardEndpoint(Runtime& runtime, RuntimeOperations& operations);

  // GET /, GET /dashboard/{file}, GET /api/v1/dashboard?since=<unix ms>.
  void add_routes(admin::Router& router);
  // One point of history from the gateway's families as of this refresh (about every second).
  void record(const observe::MetricsView& gateway);

 private:
  Runtime& runtime_;
  RuntimeOperations& operations_;
  dashboard::TrafficHistory history_;
};

}  // namespace flotilla::app
