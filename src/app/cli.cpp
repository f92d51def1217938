// CLI11 lives only in this translation unit: it is slow to compile. Each subcommand fills an
// options struct and calls its command function (commands.hpp); nothing here does real work.
#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "config/loader.hpp"

namespace flotilla::app {
namespace {

constexpr std::string_view kOperations = "arrives with the operations work (admin API)";

// Options shared by every command that talks to a running flotilla.
struct RemoteOptions {
  std::string config_path{kDefaultConfigPath};
  std::string admin_url;
  std::string token_file;
  bool json = false;
};

void add_config_option(CLI::App& cmd, std::string& path) {
  cmd.add_option("-c,--config", path, "configuration file")->capture_default_str();
}

void add_remote_options(CLI::App& cmd, RemoteOptions& remote) {
  add_config_option(cmd, remote.config_path);
  cmd.add_option("--admin", remote.admin_url, "admin API URL instead of the config's admin socket");
  cmd.add_option("--token-file", remote.token_file, "file holding the admin bearer token");
  cmd.add_flag("--json", remote.json, "machine-readable output");
}

// How `top` reaches the admin API until the admin client lands: --admin URL, else the config's
// admin.listen over plain HTTP.
StatusFetcher admin_status_fetcher(const std::string& admin_url, const std::string& config_path) {
  if (!admin_url.empty()) return http_status_fetcher(admin_url);
  return [config_path](std::string& error) -> std::optional<nlohmann::json> {
    const config::LoadResult loaded = config::load_file(config_path);
    if (!loaded.ok()) {
      error = loaded.errors.empty() ? "invalid configuration"
                                    : config::format_diagnostic(loaded.errors.front());
      return std::nullopt;
    }
    const config::Address& listen = loaded.spec->admin.listen;
    const bool v6 = listen.host.find(':') != std::string::npos;
    return http_status_fetcher(v6 ? "http://[" + listen.host + "]:" + std::to_string(listen.port)
                                  : "http://" + listen.host + ":" +
                                        std::to_string(listen.port))(error);
  };
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"flotilla: one binary that turns a web service into a highly available fleet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string{"flotilla "} + FLOTILLA_VERSION);
  int status = kExitOk;

  auto* version = app.add_subcommand("version", "print the version and the libraries built in");
  version->callback([&] { status = version_command(); });

  CheckOptions check;
  auto* check_cmd = app.add_subcommand("check", "validate a configuration file (like nginx -t)");
  add_config_option(*check_cmd, check.config_path);
  check_cmd->callback([&] { status = check_command(check); });

  UpOptions up;
  auto* up_cmd = app.add_subcommand(
      "up", "run supervisor, gateway and admin in the foreground (no config: the embedded demo)");
  up_cmd->add_option("-c,--config", up.config_path, "configuration file")->capture_default_str();
  up_cmd->callback([&] {
    up.config_given = up_cmd->count("--config") > 0;
    status = up_command(up);
  });

  RemoteOptions remote;
  auto remote_command = [&](const char* name, const char* help, std::string_view arrives_with) {
    CLI::App* cmd = app.add_subcommand(name, help);
    add_remote_options(*cmd, remote);
    cmd->callback(
        [&status, name, arrives_with] { status = not_yet_available(name, arrives_with); });
    return cmd;
  };

  remote_command("status", "services, instances, upstreams, endpoints, listeners, alerts",
                 kOperations);
  std::vector<std::string> scale_args;
  remote_command("scale", "set replicas: flotilla scale web=5", kOperations)
      ->add_option("assignments", scale_args, "SERVICE=N")
      ->required();
  std::string service;
  std::string rollout_command_text;
  std::vector<std::string> rollout_env;
  int rollout_replicas = 0;
  bool detach = false;
  bool wait = false;
  auto* rollout = remote_command("rollout", "rolling update to a new revision", kOperations);
  rollout->add_option("service", service, "service name")->required();
  rollout->add_option("--command", rollout_command_text, "new command");
  rollout->add_option("--env", rollout_env, "K=V environment changes");
  rollout->add_option("--replicas", rollout_replicas, "new replica count");
  rollout->add_flag("--wait", wait, "wait for the rollout to finish (the default)");
  rollout->add_flag("--detach", detach, "return at once");
  int revision = 0;
  auto* rollback =
      remote_command("rollback", "roll back to the previous or a given revision", kOperations);
  rollback->add_option("service", service, "service name")->required();
  rollback->add_option("--to", revision, "revision number");
  remote_command("history", "revisions of a service", kOperations)
      ->add_option("service", service, "service name")
      ->required();
  remote_command("restart", "rolling restart of a service", kOperations)
      ->add_option("service", service, "service name")
      ->required();
  remote_command("reload", "re-read the configuration file (also SIGHUP)", kOperations);
  std::string instance;
  remote_command("drain", "stop routing to one instance: flotilla drain web/2", kOperations)
      ->add_option("instance", instance, "SERVICE/N")
      ->required();
  bool follow = false;
  int instance_index = 0;
  std::string since;
  auto* logs = remote_command("logs", "instance logs", kOperations);
  logs->add_option("service", service, "service name")->required();
  logs->add_flag("-f,--follow", follow, "keep printing new lines");
  logs->add_option("-i,--instance", instance_index, "instance number");
  logs->add_option("--since", since, "only lines newer than this duration (e.g. 10m)");
  TopOptions top;
  double top_interval = 2.0;
  auto* top_cmd = app.add_subcommand("top", "live per-instance CPU, memory and requests");
  add_remote_options(*top_cmd, remote);
  top_cmd->add_option("-n,--interval", top_interval, "seconds between refreshes")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  top_cmd->add_flag("--once", top.once, "print one table (two samples apart) and exit");
  top_cmd->callback([&] {
    top.json = remote.json;
    top.interval = std::chrono::milliseconds(static_cast<long>(top_interval * 1000));
    status = top_command(top, admin_status_fetcher(remote.admin_url, remote.config_path));
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
    status = export_command(options);
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
  demo->callback([&] { status = demo_app_command(demo_options); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return status;
}

}  // namespace flotilla::app
