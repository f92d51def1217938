// A Grafana dashboard (JSON model, schema 38) over flotilla's metrics, with the seed's panels:
// request rate by method/status, p50/p95 latency, instances up, memory per instance (plus 5xx
// rate, CPU and restarts). The Prometheus data source is a dashboard variable, so the file
// imports into any Grafana as is.
#include <nlohmann/json.hpp>

#include "export/exporter.hpp"

namespace flotilla::exporters {
namespace {

const nlohmann::json kDatasource{{"type", "prometheus"}, {"uid", "${datasource}"}};

struct Query {
  std::string expr;
  std::string legend;
};

nlohmann::json panel(int id, std::string title, std::string unit, std::vector<Query> queries, int x,
                     int y, std::string description) {
  nlohmann::json targets = nlohmann::json::array();
  char ref = 'A';
  for (Query& query : queries) {
    targets.push_back({{"datasource", kDatasource},
                       {"expr", std::move(query.expr)},
                       {"legendFormat", std::move(query.legend)},
                       {"refId", std::string(1, ref++)}});
  }
  return {
      {"id", id},
      {"type", "timeseries"},
      {"title", std::move(title)},
      {"description", std::move(description)},
      {"datasource", kDatasource},
      {"gridPos", {{"x", x}, {"y", y}, {"w", 12}, {"h", 8}}},
      {"fieldConfig",
       {{"defaults", {{"unit", std::move(unit)}}}, {"overrides", nlohmann::json::array()}}},
      {"options", {{"legend", {{"displayMode", "list"}, {"placement", "bottom"}}}}},
      {"targets", std::move(targets)},
  };
}

}  // namespace

std::string render_grafana_dashboard(const config::Spec& /*spec*/) {
  const std::string rate = "[$__rate_interval]";
  nlohmann::json panels = nlohmann::json::array();
  panels.push_back(panel(1, "Request rate by method and status", "reqps",
                         {{"sum by (method, status) (rate(http_requests_total" + rate + "))",
                           "{{method}} {{status}}"}},
                         0, 0, "Requests per second answered by the gateway"));
  panels.push_back(
      panel(2, "Latency p50 / p95", "s",
            {{"histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket" +
                  rate + ")))",
              "p50"},
             {"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket" +
                  rate + ")))",
              "p95"}},
            12, 0, "Request duration quantiles from the http_request_duration_seconds histogram"));
  panels.push_back(panel(3, "Instances up", "short",
                         {{"flotilla_instance_up", "{{replica}}"},
                          {"flotilla_endpoint_up", "endpoint {{upstream}} {{endpoint}}"}},
                         0, 8, "1 while an instance runs (and an endpoint is healthy)"));
  panels.push_back(panel(4, "Memory per instance", "bytes",
                         {{"flotilla_instance_memory_bytes", "{{replica}}"},
                          {"flotilla_instance_memory_limit_bytes > 0", "{{replica}} limit"}},
                         12, 8, "Resident memory and the configured limit"));
  panels.push_back(panel(5, "5xx error rate", "reqps",
                         {{R"(sum(rate(http_requests_total{status=~"5.."})" + rate + "))", "5xx"}},
                         0, 16, "HighErrorRate fires above 0.1/s"));
  panels.push_back(panel(6, "CPU per instance", "percentunit",
                         {{"rate(flotilla_instance_cpu_seconds_total" + rate + ")", "{{replica}}"}},
                         12, 16, "CPU time per second (1 = one core)"));
  panels.push_back(
      panel(7, "Restarts (1h)", "short",
            {{"increase(flotilla_instance_restarts_total[1h])", "{{replica}}"}}, 0, 24,
            "InstanceCrashLooping fires on 3+ restarts in its window, or in crash-loop back-off"));

  const nlohmann::json dashboard{
      {"title", "flotilla"},
      {"uid", "flotilla"},
      {"tags", {"flotilla"}},
      {"timezone", "browser"},
      {"schemaVersion", 38},
      {"version", 1},
      {"editable", true},
      {"refresh", "10s"},
      {"time", {{"from", "now-1h"}, {"to", "now"}}},
      {"templating",
       {{"list",
         {{{"name", "datasource"},
           {"label", "Data source"},
           {"type", "datasource"},
           {"query", "prometheus"},
           {"current", nlohmann::json::object()},
           {"hide", 0}}}}}},
      {"annotations", {{"list", nlohmann::json::array()}}},
      {"panels", std::move(panels)},
  };
  return dashboard.dump(2) + "\n";
}

}  // namespace flotilla::exporters
