// Layout of `flotilla status`: one table per kind of thing, each only when there is something
// to show, separated by blank lines.
#include "app/status_view.hpp"
#include "app/commands.hpp"

#include <fmt/format.h>

#include "app/human_format.hpp"
#include "app/table.hpp"

namespace flotilla::app {
namespace {

using nlohmann::json;

const json& array_field(const json& object, std::string_view key) {
  static const json kEmpty = json::array();
  if (!object.is_object()) return kEmpty;
  const auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

std::string instance_name(const std::string& service, const json& instance) {
  if (instance.is_object() && instance.contains("key") && instance["key"].is_string()) {
    return instance["key"].get<std::string>();
  }
  return fmt::format("{}/{}", service, field_text(instance, "index"));
}

std::string memory_text(const json& instance) {
  const auto used = field_number(instance, "memory_bytes");
  const auto limit = field_number(instance, "memory_limit_bytes");
  if (!used) return std::string(kNone);
  if (!limit || *limit <= 0) return format_bytes(*used);
  return fmt::format("{}/{}", format_bytes(*used), format_bytes(*limit));
}

std::string cpu_text(const json& instance) {
  const auto percent = field_number(instance, "cpu_percent");
  return percent ? fmt::format("{:.1f}%", *percent) : std::string(kNone);
}

// "exit 1", "signal KILL", "oom", or whatever the server sent.
std::string last_exit_text(const json& instance) {
  if (!instance.is_object()) return std::string(kNone);
  const auto it = instance.find("last_exit");
  if (it == instance.end() || it->is_null()) return std::string(kNone);
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return fmt::format("exit {}", it->get<std::int64_t>());
  if (!it->is_object()) return it->dump();
  // The server's own wording ("exit code 3", "killed by signal 9 (Killed)") says it all.
  if (it->contains("reason") && (*it)["reason"].is_string()) {
    return (*it)["reason"].get<std::string>();
  }
  std::vector<std::string> parts;
  if (it->contains("code") && !(*it)["code"].is_null()) {
    parts.push_back("exit " + field_text(*it, "code"));
  }
  if (it->contains("signal") && !(*it)["signal"].is_null()) {
    parts.push_back("signal " + field_text(*it, "signal"));
  }
  if (parts.empty()) return it->dump();
  return fmt::format("{}", fmt::join(parts, ", "));
}

// The service's last rollout, read without knowing flotilla's state names: "-", "rolling out
// rev 5 (from 4)", "rev 5 succeeded", "rev 3 failed, rolled back to 2".
std::string rollout_text(const json& service) {
  if (!service.is_object() || !service.contains("rollout") || !service["rollout"].is_object()) {
    return std::string(kNone);
  }
  const json& rollout = service["rollout"];
  const std::string state = field_text(rollout, "state");
  const std::string to = field_text(rollout, "revision");
  const std::string from = field_text(rollout, "from_revision");
  if (state == "running") return fmt::format("rolling out rev {} (from {})", to, from);
  if (state == "succeeded") {
    return to == from ? fmt::format("rev {}, no change", to) : fmt::format("rev {} succeeded", to);
  }
  if (state == "rolled_back") {
    const bool requested = rollout.value("rollback_requested", false);
    return fmt::format("rev {} {}, rolled back to {}", to, requested ? "undone" : "failed", from);
  }
  if (state == "failed") return fmt::format("rev {} failed", to);
  return fmt::format("rev {} {}", to, state);
}

std::string age_text(const json& object, std::string_view key) {
  const auto seconds = field_number(object, key);
  return seconds ? format_age(*seconds) : std::string(kNone);
}

std::string headline(const json& status) {
  std::string line = fmt::format("flotilla {}", field_text(status, "version"));
  if (status.is_object() && status.contains("config") && status["config"].is_string()) {
    line += fmt::format(" · {}", status["config"].get<std::string>());
  }
  if (const auto uptime = field_number(status, "uptime_seconds")) {
    line += fmt::format(" · up {}", format_age(*uptime));
  }
  return line + '\n';
}

void services_section(const json& status, std::vector<std::string>& sections) {
  const json& services = array_field(status, "services");
  if (services.empty()) return;
  Table summary({"SERVICE", "REVISION", "REPLICAS", "READY", "LAST ROLLOUT"});
  Table instances({"INSTANCE", "STATE", "READY", "PID", "PORT", "REV", "UPTIME", "RESTARTS", "CPU",
                   "MEMORY", "LAST EXIT"});
  for (const json& service : services) {
    const std::string name = field_text(service, "name");
    const json& list = array_field(service, "instances");
    // A worker (no ports) is never in rotation: for it, "ready" means up and running, as a
    // Kubernetes pod without a readiness probe is Ready once it runs.
    const bool worker = field_true(service, "worker");
    std::size_t ready = 0;
    for (const json& instance : list) {
      const std::string state = field_text(instance, "state");
      if (field_true(instance, "ready") || (worker && (state == "running" || state == "ready"))) {
        ++ready;
      }
      instances.add_row({instance_name(name, instance), field_text(instance, "state"),
                         field_text(instance, "ready"), field_text(instance, "pid"),
                         field_text(instance, "port"), field_text(instance, "revision"),
                         age_text(instance, "uptime_seconds"), field_text(instance, "restarts"),
                         cpu_text(instance), memory_text(instance), last_exit_text(instance)});
    }
    // Ready of desired, as kubectl's READY: instances still stopping do not count.
    const auto desired = field_number(service, "replicas");
    std::string replicas = field_text(service, "replicas");
    if (const auto stopped = field_number(service, "stopped_from")) {
      replicas += fmt::format(" (stopped; start brings back {})", static_cast<long>(*stopped));
    }
    summary.add_row(
        {name, field_text(service, "revision"), replicas,
         fmt::format("{}/{}", ready, desired ? static_cast<std::size_t>(*desired) : list.size()),
         rollout_text(service)});
  }
  sections.push_back(summary.render());
  if (!instances.empty()) sections.push_back(instances.render());
}

// "cpu 152% / 50%, rps 3.1 / 5": each metric's last average and its target.
std::string autoscale_metrics_text(const json& autoscale) {
  std::vector<std::string> parts;
  for (const json& metric : array_field(autoscale, "metrics")) {
    const std::string name = field_text(metric, "name");
    const bool percent = name == "cpu" || name == "memory";
    auto number = [&](std::string_view key) {
      const auto value = field_number(metric, key);
      if (!value) return std::string(kNone);
      return percent ? fmt::format("{:.0f}%", *value) : fmt::format("{:.3g}", *value);
    };
    parts.push_back(fmt::format("{} {} / {}", name, number("value"), number("target")));
  }
  return parts.empty() ? std::string(kNone) : fmt::format("{}", fmt::join(parts, ", "));
}

// Services with `autoscale:`: the count now, what the autoscaler wants, its bounds and why.
void autoscale_section(const json& status, std::vector<std::string>& sections) {
  Table table({"AUTOSCALE", "CURRENT", "DESIRED", "MIN", "MAX", "METRICS", "CONDITION"});
  std::string reasons;  // the full sentence of each, under the table
  for (const json& service : array_field(status, "services")) {
    if (!service.is_object() || !service.contains("autoscale") ||
        !service["autoscale"].is_object()) {
      continue;
    }
    const json& a = service["autoscale"];
    table.add_row({field_text(service, "name"), field_text(a, "current"), field_text(a, "desired"),
                   field_text(a, "min"), field_text(a, "max"), autoscale_metrics_text(a),
                   field_text(a, "condition")});
    reasons += fmt::format("{}: {}\n", field_text(service, "name"), field_text(a, "reason"));
  }
  if (!table.empty()) sections.push_back(table.render() + reasons);
}

void upstreams_section(const json& status, std::vector<std::string>& sections) {
  const json& upstreams = array_field(status, "upstreams");
  if (upstreams.empty()) return;
  Table table(
      {"UPSTREAM", "BALANCE", "ENDPOINT", "ADDRESS", "STATE", "IN-FLIGHT", "FAILS", "REQUESTS"});
  for (const json& upstream : upstreams) {
    const std::string name = field_text(upstream, "name");
    const std::string balance = field_text(upstream, "balance");
    const json& endpoints = array_field(upstream, "endpoints");
    if (endpoints.empty()) table.add_row({name, balance, kNone.data(), "", "no endpoints"});
    for (const json& endpoint : endpoints) {
      std::string state = field_text(endpoint, "up");
      if (endpoint.is_object() && endpoint.contains("up") && endpoint["up"].is_boolean()) {
        state = endpoint["up"].get<bool>() ? "up" : "down";
      }
      if (field_true(endpoint, "backup")) state += " (backup)";
      table.add_row({name, balance, field_text(endpoint, "key"), field_text(endpoint, "address"),
                     state, field_text(endpoint, "in_flight"), field_text(endpoint, "fails"),
                     field_text(endpoint, "requests")});
    }
  }
  sections.push_back(table.render());
}

void listeners_section(const json& status, std::vector<std::string>& sections) {
  const json& listeners = array_field(status, "listeners");
  if (listeners.empty()) return;
  Table table({"LISTENER", "PROTOCOLS"});
  for (const json& listener : listeners) {
    if (listener.is_string()) {
      table.add_row({listener.get<std::string>(), std::string(kNone)});
    } else {
      table.add_row({field_text(listener, "address"), field_text(listener, "protocols")});
    }
  }
  sections.push_back(table.render());
}

// What tells one alert of a rule from another: its labels but the rule's own name and
// severity ("replica=web/0,service=web"), or "-".
std::string alert_labels_text(const json& alert) {
  if (!alert.is_object() || !alert.contains("labels") || !alert["labels"].is_object()) {
    return std::string(kNone);
  }
  std::vector<std::string> parts;
  for (const auto& [name, value] : alert["labels"].items()) {
    if (name == "alertname" || name == "severity") continue;
    parts.push_back(
        fmt::format("{}={}", name, value.is_string() ? value.get<std::string>() : value.dump()));
  }
  return parts.empty() ? std::string(kNone) : fmt::format("{}", fmt::join(parts, ","));
}

void alerts_section(const json& status, std::vector<std::string>& sections) {
  const json& alerts = array_field(status, "alerts");
  if (alerts.empty()) return;
  Table table({"ALERT", "LABELS", "STATE", "VALUE", "SINCE"});
  for (const json& alert : alerts) {
    const auto since = alert.is_object() ? alert.find("since") : alert.end();
    // Alert values are ratios and rates: three significant digits, not one decimal.
    const auto value = field_number(alert, "value");
    // An inactive alert's "since" is when it last became active: not what SINCE means.
    const bool inactive = field_text(alert, "state") == "inactive";
    table.add_row({field_text(alert, "name"), alert_labels_text(alert), field_text(alert, "state"),
                   value ? fmt::format("{:.3g}", *value) : field_text(alert, "value"),
                   since != alert.end() && !inactive ? format_time(*since) : std::string(kNone)});
  }
  sections.push_back(table.render());
}

}  // namespace

std::optional<json> service_status(const json& status, std::string_view service) {
  const json& services = array_field(status, "services");
  json out = json::object();
  for (const char* key : {"version", "config", "uptime_seconds"}) {
    if (status.is_object() && status.contains(key)) out[key] = status[key];
  }
  out["services"] = json::array();
  for (const json& one : services) {
    if (field_text(one, "name") == service) out["services"].push_back(one);
  }
  if (out["services"].empty()) return std::nullopt;
  // The upstreams that route to it (an endpoint keyed "web/0"), and its alerts.
  const std::string prefix = fmt::format("{}/", service);
  out["upstreams"] = json::array();
  for (const json& upstream : array_field(status, "upstreams")) {
    for (const json& endpoint : array_field(upstream, "endpoints")) {
      if (field_text(endpoint, "key").starts_with(prefix)) {
        out["upstreams"].push_back(upstream);
        break;
      }
    }
  }
  out["alerts"] = json::array();
  for (const json& alert : array_field(status, "alerts")) {
    if (alert.is_object() && alert.contains("labels") && alert["labels"].is_object() &&
        field_text(alert["labels"], "service") == service) {
      out["alerts"].push_back(alert);
    }
  }
  return out;
}

std::string render_status(const json& status) {
  std::vector<std::string> sections;
  sections.push_back(headline(status));
  services_section(status, sections);
  autoscale_section(status, sections);
  upstreams_section(status, sections);
  listeners_section(status, sections);
  alerts_section(status, sections);
  const json& certificates = array_field(status, "certificates");
  if (!certificates.empty()) sections.push_back(render_certificates(certificates));
  return fmt::format("{}", fmt::join(sections, "\n"));
}

}  // namespace flotilla::app
