// CLI11 lives only in this translation unit: it is slow to compile. Each subcommand fills an
// options struct and calls its command function (commands.hpp); nothing here does real work.
#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/remote.hpp"
#include "app/rollout_wait.hpp"
#include "config/loader.hpp"

namespace flotilla::app {
namespace {

void add_config_option(CLI::App& cmd, std::string& path) {
  cmd.add_option("-c,--config", path, "configuration file")->capture_default_str();
}

// The options of every command that talks to a running flotilla; config_given is set by each
// callback (CLI11 knows whether -c was on the command line only after parsing).
CLI::App* add_remote_command(CLI::App& app, const char* name, const char* help,
                             RemoteOptions& remote) {
  CLI::App* cmd = app.add_subcommand(name, help);
  add_config_option(*cmd, remote.config_path);
  cmd->add_option("--admin", remote.admin_url,
                  "admin API URL (http://HOST:PORT or a socket path) instead of the config's "
                  "admin socket");
  cmd->add_option("--token-file", remote.token_file, "file holding the admin bearer token");
  cmd->add_flag("--json", remote.json, "the server's JSON answer instead of tables");
  return cmd;
}

// The option's value when it was on the command line, else nullopt.
template <class T>
std::optional<T> given(CLI::App* cmd, const char* option, T value) {
  return cmd->count(option) > 0 ? std::optional<T>(value) : std::nullopt;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"flotilla: one binary that turns a web service into a highly available fleet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string{"flotilla "} + FLOTILLA_VERSION);
  int result = kExitOk;

  auto* version = app.add_subcommand("version", "print the version and the libraries built in");
  version->callback([&] { result = version_command(); });

  CheckOptions check;
  auto* check_cmd = app.add_subcommand("check", "validate a configuration file (like nginx -t)");
  add_config_option(*check_cmd, check.config_path);
  check_cmd->callback([&] { result = check_command(check); });

  UpOptions up;
  auto* up_cmd = app.add_subcommand(
      "up", "run supervisor, gateway and admin in the foreground (no config: the embedded demo)");
  up_cmd->add_option("-c,--config", up.config_path, "configuration file")->capture_default_str();
  up_cmd->callback([&] {
    up.config_given = up_cmd->count("--config") > 0;
    result = up_command(up);
  });

  RemoteOptions status;
  auto* status_cmd = add_remote_command(
      app, "status", "services, instances, upstreams, endpoints, listeners, alerts", status);
  status_cmd->callback([&] {
    status.config_given = status_cmd->count("--config") > 0;
    result = status_command(status);
  });

  ScaleOptions scale;
  auto* scale_cmd =
      add_remote_command(app, "scale", "set replicas: flotilla scale web=5", scale.remote);
  scale_cmd->add_option("assignments", scale.assignments, "SERVICE=N ...")->required();
  scale_cmd->callback([&] {
    scale.remote.config_given = scale_cmd->count("--config") > 0;
    result = scale_command(scale);
  });

  RolloutOptions rollout;
  std::string rollout_command_text;
  std::uint32_t rollout_replicas = 0;
  bool rollout_wait = false;
  auto* rollout_cmd =
      add_remote_command(app, "rollout", "rolling update to a new revision", rollout.remote);
  // Not required by CLI11: `flotilla rollout status SERVICE` gives it to the subcommand.
  rollout_cmd->add_option("service", rollout.service, "service name");
  rollout_cmd->add_option("--command", rollout_command_text, "new command");
  rollout_cmd->add_option("--env", rollout.env, "NAME=VALUE environment change (repeatable)");
  rollout_cmd->add_option("--replicas", rollout_replicas, "new replica count");
  auto* rollout_wait_flag =
      rollout_cmd->add_flag("--wait", rollout_wait, "wait for the rollout to finish (the default)");
  rollout_cmd->add_flag("--detach", rollout.detach, "return once the rollout has started")
      ->excludes(rollout_wait_flag);
  RemoteOptions rollout_status;
  std::string rollout_status_service;
  auto* rollout_status_cmd = add_remote_command(
      *rollout_cmd, "status",
      "follow the service's running rollout to its end, or show how the last one ended "
      "(like kubectl rollout status)",
      rollout_status);
  rollout_status_cmd->add_option("service", rollout_status_service, "service name")->required();
  rollout_status_cmd->callback([&] {
    rollout_status.config_given = rollout_status_cmd->count("--config") > 0;
    result = rollout_status_command(rollout_status, rollout_status_service);
  });
  rollout_cmd->callback([&] {
    if (rollout_status_cmd->parsed()) return;
    if (rollout.service.empty()) throw CLI::RequiredError("service");
    rollout.remote.config_given = rollout_cmd->count("--config") > 0;
    rollout.command = given(rollout_cmd, "--command", rollout_command_text);
    rollout.replicas = given(rollout_cmd, "--replicas", rollout_replicas);
    result = rollout_command(rollout);
  });

  RollbackOptions rollback;
  std::uint32_t rollback_to = 0;
  bool rollback_wait = false;
  auto* rollback_cmd = add_remote_command(
      app, "rollback", "roll back to the previous or a given revision", rollback.remote);
  rollback_cmd->add_option("service", rollback.service, "service name")->required();
  rollback_cmd->add_option("--to", rollback_to, "revision number (see flotilla history)");
  auto* rollback_wait_flag = rollback_cmd->add_flag(
      "--wait", rollback_wait, "wait for the rollback to finish (the default)");
  rollback_cmd->add_flag("--detach", rollback.detach, "return once the rollback has started")
      ->excludes(rollback_wait_flag);
  rollback_cmd->callback([&] {
    rollback.remote.config_given = rollback_cmd->count("--config") > 0;
    rollback.to = given(rollback_cmd, "--to", rollback_to);
    result = rollback_command(rollback);
  });

  HistoryOptions history;
  auto* history_cmd = add_remote_command(app, "history", "revisions of a service", history.remote);
  history_cmd->add_option("service", history.service, "service name")->required();
  history_cmd->callback([&] {
    history.remote.config_given = history_cmd->count("--config") > 0;
    result = history_command(history);
  });

  RestartOptions restart;
  bool restart_wait = false;
  auto* restart_cmd =
      add_remote_command(app, "restart", "rolling restart of a service", restart.remote);
  restart_cmd->add_option("service", restart.service, "service name")->required();
  auto* restart_wait_flag =
      restart_cmd->add_flag("--wait", restart_wait, "wait for the restart to finish (the default)");
  restart_cmd->add_flag("--detach", restart.detach, "return once the restart has started")
      ->excludes(restart_wait_flag);
  restart_cmd->callback([&] {
    restart.remote.config_given = restart_cmd->count("--config") > 0;
    result = restart_command(restart);
  });

  RemoteOptions reload;
  auto* reload_cmd =
      add_remote_command(app, "reload", "re-read the configuration file (also SIGHUP)", reload);
  reload_cmd->callback([&] {
    reload.config_given = reload_cmd->count("--config") > 0;
    result = reload_command(reload);
  });

  DrainOptions drain;
  auto* drain_cmd = add_remote_command(
      app, "drain", "stop routing to one instance: flotilla drain web/2", drain.remote);
  drain_cmd->add_option("instance", drain.instance, "SERVICE/N")->required();
  drain_cmd->callback([&] {
    drain.remote.config_given = drain_cmd->count("--config") > 0;
    result = drain_command(drain);
  });

  LogsOptions logs;
  std::uint32_t logs_instance = 0;
  auto* logs_cmd = add_remote_command(app, "logs", "instance logs", logs.remote);
  logs_cmd->add_option("service", logs.service, "service name")->required();
  logs_cmd->add_flag("-f,--follow", logs.follow, "keep printing new lines (--json: one per line)");
  logs_cmd->add_option("-i,--instance", logs_instance, "instance number");
  logs_cmd->add_option("--since", logs.since, "only lines newer than this duration (e.g. 10m)");
  logs_cmd->callback([&] {
    logs.remote.config_given = logs_cmd->count("--config") > 0;
    logs.instance = given(logs_cmd, "--instance", logs_instance);
    result = logs_command(logs);
  });

  TopOptions top;
  RemoteOptions top_remote;
  double top_interval = 2.0;
  auto* top_cmd =
      add_remote_command(app, "top", "live per-instance CPU, memory and requests", top_remote);
  top_cmd->add_option("-n,--interval", top_interval, "seconds between refreshes")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  top_cmd->add_flag("--once", top.once, "print one table (two samples apart) and exit");
  top_cmd->callback([&] {
    top_remote.config_given = top_cmd->count("--config") > 0;
    top.json = top_remote.json;
    top.interval = std::chrono::milliseconds(static_cast<long>(top_interval * 1000));
    result = top_command(top, admin_status_fetcher(top_remote));
  });

  std::string export_kind;
  std::string export_dir;
  std::string export_config{kDefaultConfigPath};
  auto* export_cmd = app.add_subcommand("export", "render the spec for another platform");
  add_config_option(*export_cmd, export_config);
  export_cmd->add_option("kind", export_kind, "k8s | systemd | nginx | prometheus-rules | grafana")
      ->required()
      ->check(CLI::IsMember({"k8s", "systemd", "nginx", "prometheus-rules", "grafana"}));
  export_cmd->add_option("-o,--output", export_dir, "output directory (default: stdout)");
  export_cmd->callback([&] {
    ExportOptions options{export_kind, export_dir, export_config,
                          export_cmd->count("--config") > 0};
    result = export_command(options);
  });

  DemoAppOptions demo_options;
  auto* demo =
      app.add_subcommand("demo-app", "the bundled demo service used by examples and tests");
  demo->add_option("--port", demo_options.port, "port to listen on (0: any free port)")
      ->required()
      ->check(CLI::Range(0, 65535));
  demo->add_option("--host", demo_options.host, "address to bind")->capture_default_str();
  demo->add_option("--threads", demo_options.threads, "threads serving requests")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  demo->callback([&] { result = demo_app_command(demo_options); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return result;
}

}  // namespace flotilla::app
