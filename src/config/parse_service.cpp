// `services:` — the processes flotilla supervises: command, environment, replicas or autoscale,
// ports, restart back-off, resources, rollout and stop behaviour, log rotation. Probes are
// parse_probe.cpp's.
#include <csignal>

#include <fmt/format.h>

#include "config/parse_sections.hpp"
#include "config/units.hpp"

namespace flotilla::config {
namespace {

const std::vector<std::string_view> kServiceKeys{
    "command", "shell",  "env",     "cwd",       "user",    "group", "replicas", "autoscale",
    "ports",   "probes", "restart", "resources", "rollout", "stop",  "logs"};

// "TERM" or "SIGTERM"; only the signals a graceful stop can sensibly start with.
ValueType<int> signal_type() {
  static const std::vector<std::pair<std::string_view, int>> kSignals{
      {"TERM", SIGTERM}, {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"HUP", SIGHUP},
      {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}};
  return {"a signal name", [](std::string_view text) -> ParseResult<int> {
            const std::string_view name = text.starts_with("SIG") ? text.substr(3) : text;
            std::vector<std::string_view> names;
            for (const auto& [known, number] : kSignals) {
              if (known == name) return number;
              names.push_back(known);
            }
            return parse_error(unknown_choice(text, names));
          }};
}

// A rollout runs up to max_surge extra instances, each needing its own port.
void check_port_capacity(const MapReader& r, const Service& service) {
  if (!service.ports) return;
  const std::uint32_t most = service.autoscale ? service.autoscale->max : service.replicas;
  const IntOrPercent& surge = service.rollout.max_surge;
  const std::uint32_t extra = surge.percent ? (most * surge.value + 99) / 100 : surge.value;
  if (most + extra <= service.ports->size()) return;
  const std::string during_rollout =
      extra == 0 ? std::string() : fmt::format(" ({} during a rollout)", most + extra);
  r.ctx().error(r.find("ports")->value_pos,
                fmt::format("{}.ports: {} has {} port(s) but the service runs up to {} "
                            "instances{}",
                            r.path(), format_port_range(*service.ports), service.ports->size(),
                            most, during_rollout));
}

void read_restart(const MapReader& r, RestartConfig& out) {
  const auto restart = r.child("restart", {"policy", "delay", "max_delay", "reset_after"});
  if (!restart) return;
  restart->read(
      "policy", out.policy,
      enum_type<RestartPolicy>("a restart policy", {{"always", RestartPolicy::always},
                                                    {"on-failure", RestartPolicy::on_failure},
                                                    {"never", RestartPolicy::never}}));
  const bool delay_ok = restart->read("delay", out.delay, duration_type());
  const bool max_ok = restart->read("max_delay", out.max_delay, duration_type());
  restart->read("reset_after", out.reset_after, duration_type());
  if ((delay_ok || max_ok) && out.delay > out.max_delay) {
    const Entry* where = restart->find(max_ok ? "max_delay" : "delay");
    r.ctx().error(where->value_pos,
                  fmt::format("{}: delay ({}) is longer than max_delay ({})", restart->path(),
                              format_duration(out.delay), format_duration(out.max_delay)));
  }
}

void read_resources(const MapReader& r, Resources& out) {
  const auto resources = r.child("resources", {"cpu", "memory", "pids"});
  r.feature("resources", "resources");
  if (!resources) return;
  constexpr std::uint32_t kMaxPids = 4'194'304;  // Linux pid_max ceiling
  resources->read("cpu", out.cpu_millis, cpu_type());
  resources->read("memory", out.memory_bytes, size_type());
  resources->read("pids", out.pids, count_type(1, kMaxPids));
  if (out.memory_bytes && *out.memory_bytes == 0) {
    r.ctx().error(resources->find("memory")->value_pos,
                  fmt::format("{}.memory: must be greater than 0", resources->path()));
  }
}

void read_rollout(const MapReader& r, RolloutConfig& out) {
  const auto rollout = r.child("rollout", {"max_surge", "max_unavailable", "progress_deadline"});
  if (!rollout) return;
  const bool surge_ok = rollout->read("max_surge", out.max_surge, int_or_percent_type());
  const bool unavailable_ok =
      rollout->read("max_unavailable", out.max_unavailable, int_or_percent_type());
  rollout->read("progress_deadline", out.progress_deadline, positive_duration_type());
  if ((surge_ok || unavailable_ok) && out.max_surge.value == 0 && out.max_unavailable.value == 0) {
    r.ctx().error(rollout->pos(), fmt::format("{}: max_surge and max_unavailable cannot both be "
                                              "0 (the rollout could never make progress)",
                                              rollout->path()));
  }
}

void read_stop(const MapReader& r, StopConfig& out) {
  const auto stop = r.child("stop", {"signal", "grace"});
  if (!stop) return;
  stop->read("signal", out.signal, signal_type());
  stop->read("grace", out.grace, duration_type());
}

void read_logs(const MapReader& r, LogRotation& out) {
  const auto logs = r.child("logs", {"max_size", "keep"});
  if (!logs) return;
  constexpr std::uint32_t kMaxKeep = 1000;
  logs->read("max_size", out.max_size, size_type());
  logs->read("keep", out.keep, count_type(0, kMaxKeep));
}

void parse_service(LoadContext& ctx, const Entry& entry, Service& service) {
  const MapReader r(ctx, entry, kServiceKeys);
  if (!r.is_map()) return;
  r.require("command");
  r.read("shell", service.command.shell, bool_type());
  if (const Entry* command = r.find("command")) {
    if (auto parsed = parse_command(ctx, *command, service.command.shell)) {
      service.command = std::move(*parsed);
    }
  }
  r.read_pairs(
      "env", [&](std::string name, std::string value) { service.env[name] = std::move(value); },
      check_env_name);
  r.read_path("cwd", service.cwd);
  r.read("user", service.user, string_type());
  r.read("group", service.group, string_type());
  r.feature("user", "run_as");
  r.feature("group", "run_as");
  r.exclusive("replicas", "autoscale");
  r.read("replicas", service.replicas, count_type(0, kMaxReplicas));
  r.read("ports", service.ports, port_range_type());
  parse_probes(r, service.ports.has_value() || r.has("ports"), service.probes);
  read_restart(r, service.restart);
  read_resources(r, service.resources);
  parse_autoscale(r, service);  // after resources: its memory target is a share of the limit
  read_rollout(r, service.rollout);
  check_port_capacity(r, service);
  read_stop(r, service.stop);
  read_logs(r, service.logs);
}

}  // namespace

void parse_services(LoadContext& ctx, const Entry& entry, std::vector<Service>& out) {
  for_each_named(ctx, entry, [&](const Entry& named) {
    Service service;  // always added, so references to it resolve even when it has errors
    service.name = named.name;
    service.pos = named.key_pos;
    service.cwd = ctx.base_dir();
    parse_service(ctx, named, service);
    out.push_back(std::move(service));
  });
}

}  // namespace flotilla::config
