// config::Service ⇄ JSON for revisions. Every field is written; reading is lenient about missing
// keys (they keep the struct's defaults) so a file written by an older flotilla still loads.
#include "supervisor/revision.hpp"

namespace flotilla::supervisor {
namespace {

using nlohmann::json;

std::int64_t ms(config::Duration d) {
  return d.count();
}

config::Duration duration_at(const json& j, const char* key, config::Duration fallback) {
  return j.contains(key) ? config::Duration{j.at(key).get<std::int64_t>()} : fallback;
}

template <class T>
void read_if(const json& j, const char* key, T& out) {
  if (j.contains(key) && !j.at(key).is_null()) out = j.at(key).get<T>();
}

template <class T>
void read_optional(const json& j, const char* key, std::optional<T>& out) {
  if (j.contains(key) && !j.at(key).is_null()) out = j.at(key).get<T>();
}

json command_to_json(const config::Command& c) {
  return json{{"argv", c.argv}, {"text", c.text}, {"shell", c.shell}};
}

config::Command command_from_json(const json& j) {
  config::Command c;
  read_if(j, "argv", c.argv);
  read_if(j, "text", c.text);
  read_if(j, "shell", c.shell);
  return c;
}

std::string kind_name(config::ProbeKind kind) {
  switch (kind) {
    case config::ProbeKind::http:
      return "http";
    case config::ProbeKind::tcp:
      return "tcp";
    case config::ProbeKind::exec:
      return "exec";
  }
  return "http";
}

config::ProbeKind kind_from(const std::string& name) {
  if (name == "tcp") return config::ProbeKind::tcp;
  if (name == "exec") return config::ProbeKind::exec;
  return config::ProbeKind::http;
}

json probe_to_json(const std::optional<config::Probe>& probe) {
  if (!probe) return nullptr;
  json j{{"kind", kind_name(probe->kind)},
         {"http_path", probe->http_path},
         {"http_status", probe->http_status},
         {"port", probe->port ? json(*probe->port) : json(nullptr)},
         {"exec", command_to_json(probe->exec)},
         {"initial_delay_ms", ms(probe->initial_delay)},
         {"period_ms", ms(probe->period)},
         {"timeout_ms", ms(probe->timeout)},
         {"success_threshold", probe->success_threshold},
         {"failure_threshold", probe->failure_threshold}};
  return j;
}

std::optional<config::Probe> probe_from_json(const json& j) {
  if (j.is_null()) return std::nullopt;
  config::Probe p;
  if (j.contains("kind")) p.kind = kind_from(j.at("kind").get<std::string>());
  read_if(j, "http_path", p.http_path);
  read_if(j, "http_status", p.http_status);
  read_optional(j, "port", p.port);
  if (j.contains("exec")) p.exec = command_from_json(j.at("exec"));
  p.initial_delay = duration_at(j, "initial_delay_ms", p.initial_delay);
  p.period = duration_at(j, "period_ms", p.period);
  p.timeout = duration_at(j, "timeout_ms", p.timeout);
  read_if(j, "success_threshold", p.success_threshold);
  read_if(j, "failure_threshold", p.failure_threshold);
  return p;
}

std::string policy_name(config::RestartPolicy policy) {
  switch (policy) {
    case config::RestartPolicy::always:
      return "always";
    case config::RestartPolicy::on_failure:
      return "on-failure";
    case config::RestartPolicy::never:
      return "never";
  }
  return "always";
}

config::RestartPolicy policy_from(const std::string& name) {
  if (name == "on-failure") return config::RestartPolicy::on_failure;
  if (name == "never") return config::RestartPolicy::never;
  return config::RestartPolicy::always;
}

// "1" or "25%", as written in the config.
std::string int_or_percent_text(const config::IntOrPercent& v) {
  return std::to_string(v.value) + (v.percent ? "%" : "");
}

config::IntOrPercent int_or_percent_from(const std::string& text) {
  config::IntOrPercent v;
  v.percent = !text.empty() && text.back() == '%';
  v.value =
      static_cast<std::uint32_t>(std::stoul(v.percent ? text.substr(0, text.size() - 1) : text));
  return v;
}

json rules_to_json(const config::ScalingRules& rules) {
  json policies = json::array();
  for (const config::ScalingPolicy& p : rules.policies) {
    policies.push_back({{"type", p.type == config::ScalingPolicyType::pods ? "pods" : "percent"},
                        {"value", p.value},
                        {"period_ms", ms(p.period)}});
  }
  const char* select = rules.select == config::SelectPolicy::max   ? "max"
                       : rules.select == config::SelectPolicy::min ? "min"
                                                                   : "disabled";
  return {{"stabilization_ms", ms(rules.stabilization)},
          {"select", select},
          {"policies", std::move(policies)}};
}

void rules_from_json(const json& j, config::ScalingRules& out) {
  out.stabilization = duration_at(j, "stabilization_ms", out.stabilization);
  if (j.contains("select")) {
    const std::string select = j.at("select").get<std::string>();
    out.select = select == "min"        ? config::SelectPolicy::min
                 : select == "disabled" ? config::SelectPolicy::disabled
                                        : config::SelectPolicy::max;
  }
  if (!j.contains("policies")) return;
  out.policies.clear();
  for (const json& p : j.at("policies")) {
    config::ScalingPolicy policy;
    if (p.contains("type") && p.at("type").get<std::string>() == "percent") {
      policy.type = config::ScalingPolicyType::percent;
    }
    read_if(p, "value", policy.value);
    policy.period = duration_at(p, "period_ms", policy.period);
    out.policies.push_back(policy);
  }
}

json optional_json(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

json autoscale_to_json(const config::Autoscale& a) {
  return {{"min", a.min},
          {"max", a.max},
          {"cpu_percent", optional_json(a.cpu_percent)},
          {"memory_percent", optional_json(a.memory_percent)},
          {"rps_per_instance", optional_json(a.rps_per_instance)},
          {"inflight_per_instance", optional_json(a.inflight_per_instance)},
          {"scale_up", rules_to_json(a.scale_up)},
          {"scale_down", rules_to_json(a.scale_down)},
          {"sync_period_ms", ms(a.sync_period)}};
}

config::Autoscale autoscale_from_json(const json& a) {
  config::Autoscale out;
  read_if(a, "min", out.min);
  read_if(a, "max", out.max);
  read_optional(a, "cpu_percent", out.cpu_percent);
  read_optional(a, "memory_percent", out.memory_percent);
  read_optional(a, "rps_per_instance", out.rps_per_instance);
  read_optional(a, "inflight_per_instance", out.inflight_per_instance);
  if (a.contains("scale_up")) rules_from_json(a.at("scale_up"), out.scale_up);
  if (a.contains("scale_down")) rules_from_json(a.at("scale_down"), out.scale_down);
  out.sync_period = duration_at(a, "sync_period_ms", out.sync_period);
  return out;
}

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

json service_to_json(const config::Service& s) {
  json j;
  j["name"] = s.name;
  j["command"] = command_to_json(s.command);
  j["env"] = s.env;
  j["cwd"] = s.cwd.string();
  j["user"] = s.user ? json(*s.user) : json(nullptr);
  j["group"] = s.group ? json(*s.group) : json(nullptr);
  j["replicas"] = s.replicas;
  j["autoscale"] = s.autoscale ? autoscale_to_json(*s.autoscale) : json(nullptr);
  j["ports"] = s.ports ? json{{"first", s.ports->first}, {"last", s.ports->last}} : json(nullptr);
  j["probes"] = {{"startup", probe_to_json(s.probes.startup)},
                 {"readiness", probe_to_json(s.probes.readiness)},
                 {"liveness", probe_to_json(s.probes.liveness)}};
  j["restart"] = {{"policy", policy_name(s.restart.policy)},
                  {"delay_ms", ms(s.restart.delay)},
                  {"max_delay_ms", ms(s.restart.max_delay)},
                  {"reset_after_ms", ms(s.restart.reset_after)}};
  const config::Resources& r = s.resources;
  j["resources"] = {{"cpu_millis", r.cpu_millis ? json(*r.cpu_millis) : json(nullptr)},
                    {"memory_bytes", r.memory_bytes ? json(*r.memory_bytes) : json(nullptr)},
                    {"pids", r.pids ? json(*r.pids) : json(nullptr)}};
  j["rollout"] = {{"max_surge", int_or_percent_text(s.rollout.max_surge)},
                  {"max_unavailable", int_or_percent_text(s.rollout.max_unavailable)},
                  {"progress_deadline_ms", ms(s.rollout.progress_deadline)}};
  j["stop"] = {{"signal", s.stop.signal}, {"grace_ms", ms(s.stop.grace)}};
  j["logs"] = {{"max_size", s.logs.max_size}, {"keep", s.logs.keep}};
  return j;
}

config::Service service_from_json(const json& j) {
  config::Service s;
  read_if(j, "name", s.name);
  if (j.contains("command")) s.command = command_from_json(j.at("command"));
  read_if(j, "env", s.env);
  if (j.contains("cwd")) s.cwd = j.at("cwd").get<std::string>();
  read_optional(j, "user", s.user);
  read_optional(j, "group", s.group);
  read_if(j, "replicas", s.replicas);
  if (j.contains("autoscale") && !j.at("autoscale").is_null()) {
    s.autoscale = autoscale_from_json(j.at("autoscale"));
  }
  if (j.contains("ports") && !j.at("ports").is_null()) {
    config::PortRange range;
    read_if(j.at("ports"), "first", range.first);
    read_if(j.at("ports"), "last", range.last);
    s.ports = range;
  }
  if (j.contains("probes")) {
    const json& p = j.at("probes");
    if (p.contains("startup")) s.probes.startup = probe_from_json(p.at("startup"));
    if (p.contains("readiness")) s.probes.readiness = probe_from_json(p.at("readiness"));
    if (p.contains("liveness")) s.probes.liveness = probe_from_json(p.at("liveness"));
  }
  if (j.contains("restart")) {
    const json& r = j.at("restart");
    if (r.contains("policy")) s.restart.policy = policy_from(r.at("policy").get<std::string>());
    s.restart.delay = duration_at(r, "delay_ms", s.restart.delay);
    s.restart.max_delay = duration_at(r, "max_delay_ms", s.restart.max_delay);
    s.restart.reset_after = duration_at(r, "reset_after_ms", s.restart.reset_after);
  }
  if (j.contains("resources")) {
    const json& r = j.at("resources");
    read_optional(r, "cpu_millis", s.resources.cpu_millis);
    read_optional(r, "memory_bytes", s.resources.memory_bytes);
    read_optional(r, "pids", s.resources.pids);
  }
  if (j.contains("rollout")) {
    const json& r = j.at("rollout");
    if (r.contains("max_surge")) {
      s.rollout.max_surge = int_or_percent_from(r.at("max_surge").get<std::string>());
    }
    if (r.contains("max_unavailable")) {
      s.rollout.max_unavailable = int_or_percent_from(r.at("max_unavailable").get<std::string>());
    }
    s.rollout.progress_deadline =
        duration_at(r, "progress_deadline_ms", s.rollout.progress_deadline);
  }
  if (j.contains("stop")) {
    read_if(j.at("stop"), "signal", s.stop.signal);
    s.stop.grace = duration_at(j.at("stop"), "grace_ms", s.stop.grace);
  }
  if (j.contains("logs")) {
    read_if(j.at("logs"), "max_size", s.logs.max_size);
    read_if(j.at("logs"), "keep", s.logs.keep);
  }
  return s;
}

json revision_to_json(const Revision& revision) {
  return json{{"number", revision.number},
              {"created_unix_ms", unix_ms(revision.created)},
              {"cause", revision.cause},
              {"outcome", revision.outcome},
              {"spec", service_to_json(revision.spec)}};
}

Revision revision_from_json(const json& j) {
  Revision revision;
  revision.number = j.at("number").get<std::uint32_t>();
  revision.created = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(j.value("created_unix_ms", std::int64_t{0})));
  revision.cause = j.value("cause", std::string());
  revision.outcome = j.value("outcome", std::string());
  revision.spec = service_from_json(j.at("spec"));
  return revision;
}

bool same_template(const config::Service& a, const config::Service& b) {
  json left = service_to_json(a);
  json right = service_to_json(b);
  // The scaling policy is no part of what runs (in Kubernetes the HPA is an object of its own,
  // beside the Deployment's pod template): changing it restarts nothing.
  for (const char* key : {"replicas", "autoscale"}) {
    left.erase(key);
    right.erase(key);
  }
  return left == right;
}

}  // namespace flotilla::supervisor
