// The admin API operations of a running flotilla (see runtime_operations.hpp).
#include "app/runtime_operations.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/runtime.hpp"
#include "app/status_json.hpp"
#include "observe/alerts/alert_status.hpp"
#include "supervisor/log_reader.hpp"

namespace flotilla::app {
namespace {

using admin::AdminResponse;
using nlohmann::json;

// An instance index `logs -i N` may ask for: one running now, or one that left a log (scaled
// away since, say).
bool has_instance_or_log(const std::string& service, std::uint32_t index,
                         const std::filesystem::path& log_dir, const supervisor::Supervisor& s) {
  for (const supervisor::InstanceStatus& instance : s.status()) {
    if (instance.service == service && instance.index == index) return true;
  }
  std::error_code ignored;
  return std::filesystem::exists(log_dir / fmt::format("{}-{}.log", service, index), ignored);
}

AdminResponse op_error(const supervisor::OpError& error) {
  switch (error.kind) {
    case supervisor::OpError::Kind::not_found:
      return admin::error_response(404, error.message);
    case supervisor::OpError::Kind::conflict:
      return admin::error_response(409, error.message);
    case supervisor::OpError::Kind::invalid:
      break;
  }
  return admin::error_response(422, error.message);
}

}  // namespace

json RuntimeOperations::with_autoscale(json service, const std::string& name) const {
  service["autoscale"] = runtime_.autoscale_json(name);
  return service;
}

asio::awaitable<AdminResponse> RuntimeOperations::status() {
  const json out = co_await status_document();
  co_return admin::json_response(200, out);
}

asio::awaitable<json> RuntimeOperations::status_document() {
  const std::optional<observe::GatewayStats> stats = co_await runtime_.collect_gateway_stats();
  json out = json::object();
  out["version"] = FLOTILLA_VERSION;
  out["config"] = runtime_.config_display();
  out["uptime_seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - runtime_.started_at())
          .count();
  json services = json::array();
  for (const supervisor::ServiceStatus& service : runtime_.supervisor().service_status()) {
    services.push_back(with_autoscale(service_json(service, cpu_), service.name));
  }
  out["services"] = std::move(services);
  out["upstreams"] =
      upstreams_json(runtime_, stats ? stats->endpoints : std::vector<observe::EndpointStats>{});
  out["active_connections"] = stats ? json(stats->active_connections) : json(nullptr);
  json listeners = json::array();
  for (const Runtime::ListenerRow& row : runtime_.listener_rows()) {
    listeners.push_back(json{{"address", row.address}, {"protocols", row.protocols}});
  }
  out["listeners"] = std::move(listeners);
  json alerts = json::array();
  for (const observe::AlertStatus& alert : runtime_.alerts()) {
    json a = json::object();
    a["name"] = alert.name;
    a["state"] = std::string(observe::to_string(alert.state));
    a["value"] = alert.value;
    a["since"] = time_json(alert.active_since);
    a["labels"] = observe::to_json(alert)["labels"];
    alerts.push_back(std::move(a));
  }
  out["alerts"] = std::move(alerts);
  out["certificates"] = runtime_.certificates_json();
  co_return out;
}

asio::awaitable<AdminResponse> RuntimeOperations::services() {
  json services = json::array();
  for (const supervisor::ServiceStatus& service : runtime_.supervisor().service_status()) {
    services.push_back(with_autoscale(service_json(service, cpu_), service.name));
  }
  co_return admin::json_response(200, json{{"services", std::move(services)}});
}

asio::awaitable<AdminResponse> RuntimeOperations::service(std::string name) {
  for (const supervisor::ServiceStatus& service : runtime_.supervisor().service_status()) {
    if (service.name == name) {
      co_return admin::json_response(200,
                                     with_autoscale(service_json(service, cpu_), service.name));
    }
  }
  co_return admin::error_response(404, fmt::format("service '{}' not found", name));
}

asio::awaitable<AdminResponse> RuntimeOperations::instances() {
  json instances = json::array();
  for (const supervisor::ServiceStatus& service : runtime_.supervisor().service_status()) {
    for (const supervisor::InstanceStatus& instance : service.instances) {
      json i = instance_json(instance, cpu_);
      i["service"] = service.name;
      instances.push_back(std::move(i));
    }
  }
  co_return admin::json_response(200, json{{"instances", std::move(instances)}});
}

asio::awaitable<AdminResponse> RuntimeOperations::upstreams() {
  const std::optional<observe::GatewayStats> stats = co_await runtime_.collect_gateway_stats();
  json out = json::object();
  out["upstreams"] =
      upstreams_json(runtime_, stats ? stats->endpoints : std::vector<observe::EndpointStats>{});
  co_return admin::json_response(200, out);
}

asio::awaitable<AdminResponse> RuntimeOperations::scale(std::string service,
                                                        std::uint32_t replicas) {
  // An autoscaled service: the count by hand is set within [min, max], and the autoscaler
  // carries on from it (as a `kubectl scale` of a Deployment an HPA targets).
  std::optional<std::uint32_t> asked;
  if (const auto spec = runtime_.supervisor().current_spec(service); spec && spec->autoscale) {
    const std::uint32_t bounded = std::clamp(replicas, spec->autoscale->min, spec->autoscale->max);
    if (bounded != replicas) asked = replicas;
    replicas = bounded;
  }
  const auto result = runtime_.supervisor().scale(service, replicas);
  if (!result) co_return op_error(result.error());
  json out = json::object();
  out["service"] = result->service;
  out["replicas"] = result->replicas;
  out["previous"] = result->previous;
  if (asked) {
    out["requested"] = *asked;
    out["note"] =
        fmt::format("autoscaled service: {} is outside autoscale's [{}, {}], set to {}", *asked,
                    runtime_.supervisor().current_spec(service)->autoscale->min,
                    runtime_.supervisor().current_spec(service)->autoscale->max, replicas);
  }
  co_return admin::json_response(200, out);
}

asio::awaitable<AdminResponse> RuntimeOperations::rollout(std::string service,
                                                          admin::RolloutChange change) {
  supervisor::Supervisor& supervisor = runtime_.supervisor();
  auto base = supervisor.current_spec(service);
  if (!base) co_return op_error(base.error());
  config::Service spec = base.value();
  if (change.command) spec.command = *change.command;
  for (auto& [name, value] : change.env) spec.env[name] = value;
  if (change.replicas) spec.replicas = *change.replicas;
  const auto result = supervisor.rollout(service, std::move(spec), "rollout");
  if (!result) co_return op_error(result.error());
  co_return admin::json_response(202, rollout_json(result.value()));
}

asio::awaitable<AdminResponse> RuntimeOperations::rollout_status(std::string service) {
  const auto result = runtime_.supervisor().rollout_status(service);
  if (!result) co_return op_error(result.error());
  if (!result.value()) co_return admin::error_response(404, "no rollout of " + service + " yet");
  co_return admin::json_response(200, rollout_json(*result.value()));
}

asio::awaitable<AdminResponse> RuntimeOperations::rollback(std::string service,
                                                           std::optional<std::uint32_t> to) {
  const auto result = runtime_.supervisor().rollback(service, to);
  if (!result) co_return op_error(result.error());
  co_return admin::json_response(202, rollout_json(result.value()));
}

asio::awaitable<AdminResponse> RuntimeOperations::revisions(std::string service) {
  const auto result = runtime_.supervisor().history(service);
  if (!result) co_return op_error(result.error());
  json revisions = json::array();
  for (const supervisor::Revision& revision : result->revisions) {
    json r = json::object();
    r["revision"] = revision.number;
    r["created"] = time_json(revision.created);
    r["command"] = revision.spec.command.text;
    r["env"] = revision.spec.env;
    r["replicas"] = revision.spec.replicas;
    r["cause"] = revision.cause;
    r["outcome"] = revision.outcome;
    revisions.push_back(std::move(r));
  }
  json out = json::object();
  out["service"] = result->service;
  out["current"] = result->current;
  out["revisions"] = std::move(revisions);
  co_return admin::json_response(200, out);
}

asio::awaitable<AdminResponse> RuntimeOperations::restart(std::string service) {
  const auto result = runtime_.supervisor().restart(service);
  if (!result) co_return op_error(result.error());
  co_return admin::json_response(202, rollout_json(result.value()));
}

asio::awaitable<AdminResponse> RuntimeOperations::drain(std::string service, std::uint32_t index) {
  const auto result = runtime_.supervisor().drain(service, index);
  if (!result) co_return op_error(result.error());
  json out = json::object();
  out["instance"] = result->key;
  out["state"] = "drained";
  out["was_ready"] = result->was_ready;
  co_return admin::json_response(200, out);
}

asio::awaitable<AdminResponse> RuntimeOperations::undrain(std::string service,
                                                          std::uint32_t index) {
  const auto result = runtime_.supervisor().undrain(service, index);
  if (!result) co_return op_error(result.error());
  json out = json::object();
  out["instance"] = result->key;
  out["state"] = "undrained";
  co_return admin::json_response(200, out);
}

asio::awaitable<AdminResponse> RuntimeOperations::stop_service(std::string service) {
  const auto result = runtime_.supervisor().stop_service(service);
  if (!result) co_return op_error(result.error());
  json out = json::object();
  out["service"] = result->service;
  out["state"] = "stopped";
  out["replicas"] = result->replicas;
  out["changed"] = result->changed;
  co_return admin::json_response(200, out);
}

asio::awaitable<AdminResponse> RuntimeOperations::start_service(std::string service) {
  const auto result = runtime_.supervisor().start_service(service);
  if (!result) co_return op_error(result.error());
  json out = json::object();
  out["service"] = result->service;
  out["state"] = "started";
  out["replicas"] = result->replicas;
  out["changed"] = result->changed;
  co_return admin::json_response(200, out);
}

asio::awaitable<AdminResponse> RuntimeOperations::reload() {
  const ReloadResult result = runtime_.reload();
  if (!result.ok) {
    json out = json::object();
    out["error"] = "the configuration was not reloaded";
    out["diagnostics"] = result.errors;
    co_return admin::json_response(422, out);
  }
  json out = json::object();
  out["changed"] = result.changes;
  co_return admin::json_response(200, out);
}

asio::awaitable<AdminResponse> RuntimeOperations::logs(std::string service,
                                                       admin::LogsQuery query) {
  const auto known = runtime_.supervisor().current_spec(service);
  if (!known) co_return op_error(known.error());
  const std::filesystem::path log_dir = runtime_.spec().state_dir / "logs";
  if (query.instance &&
      !has_instance_or_log(service, *query.instance, log_dir, runtime_.supervisor())) {
    co_return admin::error_response(
        404,
        fmt::format("service {} has no instance {} (and no log of one)", service, *query.instance));
  }
  supervisor::LogQuery q;
  q.instance = query.instance;
  q.since = query.since;
  q.cursor = query.cursor;
  if (query.limit) q.limit = *query.limit;
  const supervisor::LogPage page = supervisor::read_logs(log_dir, service, q);
  json lines = json::array();
  for (const supervisor::LogLine& line : page.lines) {
    json l = json::object();
    l["instance"] = line.instance;
    l["time"] = line.time.empty() ? json(nullptr) : json(line.time);
    l["stream"] = "output";
    l["line"] = line.line;
    lines.push_back(std::move(l));
  }
  json out = json::object();
  out["lines"] = std::move(lines);
  out["cursor"] = page.cursor;
  co_return admin::json_response(200, out);
}

}  // namespace flotilla::app
