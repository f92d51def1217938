// CLI11 lives only in this translation unit: it is slow to compile. Each subcommand fills an
// options struct and calls its command function (commands.hpp); nothing here does real work.
#include "app/cli.hpp"

#include <cstdlib>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include "app/cli_docs.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/remote.hpp"
#include "app/rollout_wait.hpp"
#include "config/did_you_mean.hpp"
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

// -c given, else $FLOTILLA_CONFIG, else the default: for commands that read the file themselves.
bool config_from_environment(CLI::App* cmd, std::string& path) {
  if (cmd->count("--config") > 0) return true;
  const char* env = std::getenv("FLOTILLA_CONFIG");
  if (env == nullptr || *env == '\0') return false;
  path = env;
  return true;
}

// The option's value when it was on the command line, else nullopt.
template <class T>
std::optional<T> given(CLI::App* cmd, const char* option, T value) {
  return cmd->count(option) > 0 ? std::optional<T>(value) : std::nullopt;
}

// `flotilla statu`: named, with the closest command, before CLI11 says "extra arguments".
int reject_unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2) return kExitOk;
  const std::string_view word = argv[1];
  if (word.empty() || word.front() == '-') return kExitOk;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == word) return kExitOk;
    names.push_back(sub->get_name());
  }
  fmt::print(stderr, "flotilla: unknown command '{}'{}\nRun 'flotilla --help' for the commands.\n",
             word, config::did_you_mean(word, names));
  return kExitUsage;
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
  check_cmd->add_flag("--keys", check.list_keys,
                      "print every key the parser accepted in the mappings it read (for the "
                      "configuration reference)");
  check_cmd->callback([&] {
    config_from_environment(check_cmd, check.config_path);
    result = check_command(check);
  });

  InitOptions init;
  auto* init_cmd = app.add_subcommand(
      "init", "write a commented starter flotilla.yaml: flotilla init [-- COMMAND ARGS...]");
  init_cmd->add_option("-o,--output", init.path, "file to write ('-': print it)")
      ->capture_default_str();
  init_cmd
      ->add_option("--example", init.example,
                   "demo (the bundled demo app), web (an app you name after --) or proxy")
      ->check(CLI::IsMember({"demo", "web", "proxy"}));
  init_cmd->add_flag("-f,--force", init.force, "replace an existing file");
  init_cmd->add_option("command", init.command,
                       "the app's command line, after --; quote '$PORT' (each instance's port)");
  init_cmd->callback([&] {
    init.stdout_only = init.path == "-";
    result = init_command(init);
  });

  UpOptions up;
  auto* up_cmd = app.add_subcommand(
      "up", "run supervisor, gateway and admin in the foreground (no config: the embedded demo)");
  up_cmd->add_option("-c,--config", up.config_path, "configuration file")->capture_default_str();
  up_cmd->callback([&] {
    up.config_given = config_from_environment(up_cmd, up.config_path);
    result = up_command(up);
  });

  StatusOptions status;
  double status_interval = 2.0;
  auto* status_cmd = add_remote_command(
      app, "status", "services, instances, upstreams, endpoints, listeners, alerts", status.remote);
  status_cmd->add_option("service", status.service,
                         "only this service (its instances, "
                         "upstreams and alerts)");
  status_cmd->add_flag("-w,--watch", status.watch, "redraw until interrupted");
  status_cmd->add_option("--interval", status_interval, "seconds between redraws with --watch")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  status_cmd->callback([&] {
    status.remote.config_given = status_cmd->count("--config") > 0;
    status.interval = std::chrono::milliseconds(static_cast<long>(status_interval * 1000));
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

  RemoteOptions certs;
  auto* certs_cmd = add_remote_command(
      app, "certs", "TLS certificates: domains, issuer, expiry, source, next renewal", certs);
  RemoteOptions certs_renew;
  std::string certs_renew_domain;
  auto* certs_renew_cmd = add_remote_command(
      *certs_cmd, "renew", "order a new ACME certificate for DOMAIN now", certs_renew);
  certs_renew_cmd->add_option("domain", certs_renew_domain, "a domain of an ACME certificate")
      ->required();
  certs_renew_cmd->callback([&] {
    certs_renew.config_given = certs_renew_cmd->count("--config") > 0;
    result = certs_renew_command(certs_renew, certs_renew_domain);
  });
  certs_cmd->callback([&] {
    if (certs_renew_cmd->parsed()) return;
    certs.config_given = certs_cmd->count("--config") > 0;
    result = certs_command(certs);
  });

  DrainOptions drain;
  auto* drain_cmd = add_remote_command(
      app, "drain", "stop routing to one instance: flotilla drain web/2", drain.remote);
  drain_cmd->add_option("instance", drain.instance, "SERVICE/N")->required();
  drain_cmd->callback([&] {
    drain.remote.config_given = drain_cmd->count("--config") > 0;
    result = drain_command(drain);
  });

  DrainOptions undrain;
  undrain.undrain = true;
  auto* undrain_cmd = add_remote_command(
      app, "undrain", "put a drained instance back into rotation: flotilla undrain web/2",
      undrain.remote);
  undrain_cmd->add_option("instance", undrain.instance, "SERVICE/N")->required();
  undrain_cmd->callback([&] {
    undrain.remote.config_given = undrain_cmd->count("--config") > 0;
    result = drain_command(undrain);
  });

  StopStartOptions stop;
  auto* stop_cmd = add_remote_command(
      app, "stop", "stop every instance of a service, keeping its replica count for start",
      stop.remote);
  stop_cmd->add_option("service", stop.services, "service name(s)")->required();
  stop_cmd->callback([&] {
    stop.remote.config_given = stop_cmd->count("--config") > 0;
    result = stop_start_command(stop);
  });

  StopStartOptions start;
  start.start = true;
  auto* start_cmd = add_remote_command(
      app, "start", "start a stopped service again at its replica count", start.remote);
  start_cmd->add_option("service", start.services, "service name(s)")->required();
  start_cmd->callback([&] {
    start.remote.config_given = start_cmd->count("--config") > 0;
    result = stop_start_command(start);
  });

  LogsOptions logs;
  std::uint32_t logs_instance = 0;
  auto* logs_cmd = add_remote_command(app, "logs", "instance logs", logs.remote);
  logs_cmd->add_option("service", logs.service, "service name")->required();
  logs_cmd->add_flag("-f,--follow", logs.follow, "keep printing new lines (--json: one per line)");
  logs_cmd->add_option("-i,--instance", logs_instance, "instance number");
  logs_cmd->add_option("--since", logs.since, "only lines newer than this duration (e.g. 10m)");
  std::uint32_t logs_tail = 0;
  logs_cmd->add_option("-n,--tail", logs_tail, "only the last N lines (default 200)")
      ->check(CLI::Range(1u, 100000u));
  logs_cmd->callback([&] {
    logs.remote.config_given = logs_cmd->count("--config") > 0;
    logs.instance = given(logs_cmd, "--instance", logs_instance);
    logs.tail = given(logs_cmd, "--tail", logs_tail);
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
  std::string export_binary;
  export_cmd->add_option("--binary", export_binary,
                         "systemd: the flotilla executable its unit runs (default: this one)");
  export_cmd->callback([&] {
    const bool config_given = config_from_environment(export_cmd, export_config);
    ExportOptions options{export_kind, export_dir, export_config, config_given, export_binary};
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

  // Generated from this very tree: never out of step with --help. Hidden from the help list.
  auto* man_cmd = app.add_subcommand("man", "print the man page flotilla(1) (roff)")->group("");
  man_cmd->callback([&] { fmt::print("{}", render_man_page(app)); });
  std::string shell;
  auto* completion_cmd =
      app.add_subcommand("completion", "print a shell completion script")->group("");
  completion_cmd->add_option("shell", shell, "bash | zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion_cmd->callback([&] { fmt::print("{}", render_completion(app, shell)); });

  if (const int code = reject_unknown_command(app, argc, argv); code != kExitOk) return code;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return result;
}

}  // namespace flotilla::app
