// The admin API's JSON pieces of flotilla's state.
#include "app/status_json.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "app/runtime.hpp"
#include "observe/alerts/alert_status.hpp"
#include "upstream/tail_policy.hpp"

namespace flotilla::app {
namespace {

using nlohmann::json;

json exit_json(const std::optional<supervisor::ExitInfo>& exit) {
  if (!exit) return nullptr;
  json out = json::object();
  out["code"] = exit->code >= 0 ? json(exit->code) : json(nullptr);
  out["signal"] = exit->signal != 0 ? json(exit->signal) : json(nullptr);
  out["oom"] = exit->oom;
  out["reason"] = exit->describe();
  return out;
}

const char* balance_name(config::Balance balance) {
  switch (balance) {
    case config::Balance::round_robin:
      return "round_robin";
    case config::Balance::least_conn:
      return "least_conn";
    case config::Balance::random_two:
      return "random_two";
    case config::Balance::hash:
      return "hash";
    case config::Balance::ip_hash:
      return "ip_hash";
  }
  return "round_robin";
}

}  // namespace

double CpuMeter::percent(const std::string& key, int pid, double cpu_seconds) {
  const auto now = std::chrono::steady_clock::now();
  Sample& sample = samples_[key];
  if (sample.pid == pid && pid != 0) {
    const double wall = std::chrono::duration<double>(now - sample.at).count();
    // Polled faster than this, the previous figure is more honest than a noisy new one.
    if (wall < 0.2) return sample.percent;
    sample.percent = std::max(0.0, (cpu_seconds - sample.cpu_seconds) / wall * 100.0);
  } else {
    sample.percent = 0;
  }
  sample.pid = pid;
  sample.cpu_seconds = cpu_seconds;
  sample.at = now;
  return sample.percent;
}

json time_json(std::chrono::system_clock::time_point time) {
  return observe::format_rfc3339(time);
}

json rollout_json(const supervisor::RolloutProgress& progress) {
  json out = json::object();
  out["service"] = progress.service;
  out["revision"] = progress.revision;
  out["from_revision"] = progress.from_revision;
  out["cause"] = progress.cause;
  out["state"] = std::string(supervisor::to_string(progress.state));
  out["phase"] = progress.phase;
  out["desired"] = progress.desired;
  out["updated"] = progress.updated;
  out["ready"] = progress.ready;
  out["message"] = progress.message;
  out["rollback_requested"] = progress.rollback_requested;
  if (!progress.failed_instance.empty()) {
    out["failed_instance"] = progress.failed_instance;
    out["failed_instance_log"] = progress.failed_instance_log;
  }
  out["started"] = time_json(progress.started);
  out["finished"] = progress.finished ? time_json(*progress.finished) : json(nullptr);
  return out;
}

json instance_json(const supervisor::InstanceStatus& instance, CpuMeter& cpu) {
  json i = json::object();
  i["key"] = instance.key;
  i["index"] = instance.index;
  i["state"] = std::string(supervisor::to_string(instance.state));
  i["pid"] = instance.pid != 0 ? json(instance.pid) : json(nullptr);
  i["port"] = instance.port ? json(*instance.port) : json(nullptr);
  i["ready"] = instance.ready;
  i["uptime_seconds"] = std::chrono::duration<double>(instance.uptime).count();
  i["restarts"] = instance.restarts;
  i["revision"] = instance.revision;
  i["cpu_seconds"] = instance.cpu_seconds;
  i["cpu_percent"] = cpu.percent(instance.key, instance.pid, instance.cpu_seconds);
  i["memory_bytes"] = instance.memory_bytes;
  i["memory_limit_bytes"] =
      instance.memory_limit_bytes ? json(*instance.memory_limit_bytes) : json(nullptr);
  i["limits"] = instance.limits;
  i["last_exit"] = exit_json(instance.last_exit);
  return i;
}

json service_json(const supervisor::ServiceStatus& service, CpuMeter& cpu) {
  json instances = json::array();
  for (const supervisor::InstanceStatus& instance : service.instances) {
    instances.push_back(instance_json(instance, cpu));
  }
  json s = json::object();
  s["name"] = service.name;
  s["revision"] = service.revision;
  s["replicas"] = service.desired;
  s["ready"] = service.ready;
  s["worker"] = !service.routable;
  // `flotilla stop`ped: the count `start` brings back; null while it runs.
  s["stopped_from"] = service.stopped_from ? json(*service.stopped_from) : json(nullptr);
  s["rollout"] = service.rollout ? rollout_json(*service.rollout) : json(nullptr);
  s["instances"] = std::move(instances);
  return s;
}

// The upstream's completed-try latency and what `auto` derives from it now (before a route's read
// timeout bounds it): retry.per_try_timeout and hedge.after (upstream/tail_policy.hpp).
json latency_json(std::uint64_t p99_us, std::uint32_t samples) {
  json l = json::object();
  l["samples"] = samples;
  l["p99_ms"] = static_cast<double>(p99_us) / 1000.0;
  const bool enough = samples >= upstream::kMinLatencySamples;
  const double per_try =
      std::max(static_cast<double>(upstream::kPerTryFloor.count()),
               upstream::kPerTryP99Multiple * static_cast<double>(p99_us) / 1000.0);
  l["per_try_timeout_auto_ms"] = enough ? json(per_try) : json(nullptr);
  return l;
}

json upstreams_json(const Runtime& runtime, const std::vector<observe::EndpointStats>& stats) {
  const config::Spec& spec = runtime.spec();
  json out = json::array();
  for (const config::Upstream& upstream : spec.upstreams) {
    json endpoints = json::array();
    std::uint64_t p99_us = 0;
    std::uint32_t samples = 0;
    for (const observe::EndpointStats& endpoint : stats) {
      if (endpoint.upstream != upstream.name) continue;
      bool backup = false;
      const std::string address =
          runtime.instance_address(endpoint.endpoint).value_or(endpoint.endpoint);
      for (const config::Server& server : upstream.servers) {
        if (fmt::format("{}:{}", server.address.host, server.address.port) == endpoint.endpoint) {
          backup = server.backup;
        }
      }
      json e = json::object();
      e["key"] = endpoint.endpoint;
      e["address"] = address;
      e["up"] = endpoint.up;
      e["backup"] = backup;
      e["in_flight"] = endpoint.in_flight;
      e["fails"] = endpoint.fails;
      e["requests"] = endpoint.requests;
      e["failures"] = endpoint.failures;
      e["errors"] = endpoint.errors;
      e["stuck"] = endpoint.stuck;
      e["latency_ejections"] = endpoint.latency_ejections;
      endpoints.push_back(std::move(e));
      p99_us = std::max(p99_us, endpoint.latency_p99_us);
      samples = std::max(samples, endpoint.latency_samples);
    }
    json u = json::object();
    u["name"] = upstream.name;
    u["balance"] = balance_name(upstream.balance);
    u["service"] = upstream.service ? json(*upstream.service) : json(nullptr);
    u["endpoints"] = std::move(endpoints);
    u["latency"] = latency_json(p99_us, samples);
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace flotilla::app
