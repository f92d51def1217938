// `flotilla export systemd`: flotilla itself as a hardened Type=notify unit (readiness and
// watchdog through sd_notify, reload through `flotilla reload`), plus one template unit per
// service (`web@.service`, the instance name is its port) for teams that move a service to
// plain systemd. Pure text from the Spec and the paths the caller names.
#include <algorithm>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

#include "export/exporter.hpp"

namespace flotilla::exporters {
namespace {

// One ExecStart= word: `$` and `%` taken literally (systemd expands both there), quoted when
// needed. In an Environment= assignment (`assignment`) only `%` is expanded.
std::string exec_word(std::string_view word, bool expand_port, bool assignment = false) {
  std::string out;
  bool quote = word.empty();
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if (expand_port && word.substr(i).starts_with("$PORT")) {
      out += "${PORT}";
      i += 4;
      continue;
    }
    if (c == '%' || (c == '$' && !assignment)) out += c;  // "$$" and "%%": a literal $ and %
    if (c == '"' || c == '\\') out += '\\';
    if (c == ' ' || c == '\t' || c == '\'' || c == ';') quote = true;
    out += c;
  }
  return quote ? "\"" + out + "\"" : out;
}

std::string exec_line(const std::vector<std::string>& argv, bool expand_port) {
  std::string out;
  for (const std::string& word : argv) {
    if (!out.empty()) out += ' ';
    out += exec_word(word, expand_port);
  }
  return out;
}

std::string seconds(config::Duration duration) {
  const auto ms = duration.count();
  return ms % 1000 == 0 ? fmt::format("{}s", ms / 1000) : fmt::format("{}ms", ms);
}

std::string restart_policy(config::RestartPolicy policy) {
  switch (policy) {
    case config::RestartPolicy::always:
      return "always";
    case config::RestartPolicy::on_failure:
      return "on-failure";
    case config::RestartPolicy::never:
      return "no";
  }
  return "always";
}

std::string flotilla_unit(const config::Spec& spec, const SystemdTarget& target) {
  // flotilla stops every instance within its own grace before exiting: give it that and more.
  config::Duration longest{0};
  for (const config::Service& service : spec.services) {
    longest = std::max(longest, service.stop.grace);
  }
  const auto stop_timeout = std::chrono::duration_cast<std::chrono::seconds>(longest).count() + 45;
  // "-": a path that does not exist (yet) is no reason to refuse to start.
  std::string writable = "-" + exec_word(target.working_dir, false);
  if (!spec.state_dir.empty() && spec.state_dir.string() != target.working_dir) {
    writable += " -" + exec_word(spec.state_dir.string(), false);
  }
  return fmt::format(
      R"(# flotilla itself as a systemd service. Install it with:
#   cp flotilla.service /etc/systemd/system/ && systemctl daemon-reload
#   systemctl enable --now flotilla      (then: systemctl reload flotilla, journalctl -u flotilla)
[Unit]
Description=flotilla: supervisor and gateway ({config})
After=network-online.target
Wants=network-online.target

[Service]
# flotilla says READY=1 once its listeners and admin API are up, and pings the watchdog from its
# control thread: a flotilla that stops answering is restarted.
Type=notify
NotifyAccess=main
ExecStart={exec} up -c {config_word}
ExecReload={exec} reload -c {config_word}
WorkingDirectory={working_dir}
Restart=always
RestartSec=2s
WatchdogSec=30s
# SIGTERM to flotilla only: it stops its instances gracefully, then exits.
KillMode=mixed
TimeoutStopSec={stop_timeout}s
LimitNOFILE=65536

# Hardening: the system is read-only but for the config's directory and the state directory.
# Not ProtectKernelTunables/ProtectControlGroups: `resources:` limits write /sys/fs/cgroup.
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ReadWritePaths={writable}
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
LockPersonality=yes
SystemCallArchitectures=native
AmbientCapabilities=CAP_NET_BIND_SERVICE

[Install]
WantedBy=multi-user.target
)",
      fmt::arg("config", target.config), fmt::arg("exec", exec_word(target.binary, false)),
      fmt::arg("config_word", exec_word(target.config, false)),
      fmt::arg("working_dir", exec_word(target.working_dir, false)),
      fmt::arg("stop_timeout", stop_timeout), fmt::arg("writable", writable));
}

std::string service_unit(const config::Service& service) {
  std::string env;
  for (const auto& [name, value] : service.env) {
    env += fmt::format("Environment={}\n", exec_word(name + "=" + value, false, true));
  }
  if (service.ports) env += "Environment=PORT=%i\n";
  std::string limits;
  if (service.resources.cpu_millis) {
    limits += fmt::format("CPUQuota={}%\n", *service.resources.cpu_millis / 10);
  }
  if (service.resources.memory_bytes) {
    limits += fmt::format("MemoryMax={}\n", *service.resources.memory_bytes);
  }
  if (service.resources.pids) limits += fmt::format("TasksMax={}\n", *service.resources.pids);
  if (service.user) limits += fmt::format("User={}\n", *service.user);
  if (service.group) limits += fmt::format("Group={}\n", *service.group);
  const char* signal_name = sigabbrev_np(service.stop.signal);
  return fmt::format(
      R"(# Service '{name}' of flotilla.yaml as a systemd template unit{ports_hint}.
[Unit]
Description={name} (%i), exported from flotilla
After=network-online.target
Wants=network-online.target

[Service]
ExecStart={exec}
WorkingDirectory={cwd}
{env}{limits}Restart={restart}
RestartSec={delay}
KillSignal=SIG{signal}
TimeoutStopSec={grace}

[Install]
WantedBy=multi-user.target
)",
      fmt::arg("name", service.name),
      fmt::arg("ports_hint", service.ports ? fmt::format(": the instance name is its port, e.g. "
                                                         "systemctl start {}@{}",
                                                         service.name, service.ports->first)
                                           : std::string(": start instances as systemctl start " +
                                                         service.name + "@1")),
      fmt::arg("exec", exec_line(service.command.argv, service.ports.has_value())),
      fmt::arg("cwd", exec_word(service.cwd.string(), false)), fmt::arg("env", env),
      fmt::arg("limits", limits), fmt::arg("restart", restart_policy(service.restart.policy)),
      fmt::arg("delay", seconds(service.restart.delay)),
      fmt::arg("signal", signal_name ? signal_name : "TERM"),
      fmt::arg("grace", seconds(service.stop.grace)));
}

}  // namespace

std::vector<ExportFile> render_systemd_units(const config::Spec& spec,
                                             const SystemdTarget& target) {
  std::vector<ExportFile> files;
  files.push_back({"flotilla.service", flotilla_unit(spec, target)});
  for (const config::Service& service : spec.services) {
    files.push_back({service.name + "@.service", service_unit(service)});
  }
  return files;
}

}  // namespace flotilla::exporters
