// One function per CLI command, with its options as a plain struct. The CLI parser fills the
// struct; the command does the work and returns an exit status (see exit_codes.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace flotilla::app {

inline constexpr std::string_view kDefaultConfigPath = "flotilla.yaml";

struct CheckOptions {
  std::string config_path{kDefaultConfigPath};
  bool list_keys = false;  // --keys: print the keys the parser accepted (key_catalogue.hpp)
};
int check_command(const CheckOptions& options);

struct UpOptions {
  std::string config_path{kDefaultConfigPath};
  bool config_given = false;  // -c on the command line (else: ./flotilla.yaml or the embedded demo)
};
int up_command(const UpOptions& options);

int version_command();

struct DemoAppOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 2;
};
int demo_app_command(const DemoAppOptions& options);

// Options shared by every command that talks to a running flotilla (remote.hpp).
struct RemoteOptions {
  std::string config_path{kDefaultConfigPath};
  bool config_given = false;  // -c on the command line: a missing file is an error
  std::string admin_url;      // --admin: instead of the config's admin socket
  std::string token_file;     // --token-file: bearer token for changes over TCP
  bool json = false;          // --json: the server's JSON, pretty-printed
};

struct StatusOptions {
  RemoteOptions remote;
  std::string service;  // empty: everything
  bool watch = false;   // redraw every `interval` until interrupted (like `watch flotilla status`)
  std::chrono::milliseconds interval{2000};
  int max_refreshes = 0;  // with watch: 0 until interrupted (tests bound it)
};
int status_command(const StatusOptions& options);

struct ScaleOptions {
  RemoteOptions remote;
  std::vector<std::string> assignments;  // SERVICE=N
};
int scale_command(const ScaleOptions& options);

struct RolloutOptions {
  RemoteOptions remote;
  std::string service;
  std::optional<std::string> command;
  std::vector<std::string> env;  // K=V
  std::optional<std::uint32_t> replicas;
  bool detach = false;
};
int rollout_command(const RolloutOptions& options);

struct RollbackOptions {
  RemoteOptions remote;
  std::string service;
  std::optional<std::uint32_t> to;
  bool detach = false;
};
int rollback_command(const RollbackOptions& options);

struct RestartOptions {
  RemoteOptions remote;
  std::string service;
  bool detach = false;
};
int restart_command(const RestartOptions& options);

struct HistoryOptions {
  RemoteOptions remote;
  std::string service;
};
int history_command(const HistoryOptions& options);

int reload_command(const RemoteOptions& options);
// certs_command.cpp: `flotilla certs` and `flotilla certs renew DOMAIN`; the table is shared
// with `flotilla status`.
int certs_command(const RemoteOptions& options);
int certs_renew_command(const RemoteOptions& options, const std::string& domain);
std::string render_certificates(const nlohmann::json& certificates);

struct DrainOptions {
  RemoteOptions remote;
  std::string instance;  // SERVICE/N
  bool undrain = false;  // `flotilla undrain`: back into rotation
};
int drain_command(const DrainOptions& options);

struct LogsOptions {
  RemoteOptions remote;
  std::string service;
  bool follow = false;
  std::optional<std::uint32_t> instance;
  std::string since;                  // a duration such as 10m; empty: no bound
  std::optional<std::uint32_t> tail;  // -n / --tail: the last N lines (default: the API's 200)
};

// `flotilla stop web` / `start web`: stop every instance keeping the count / bring it back.
struct StopStartOptions {
  RemoteOptions remote;
  std::vector<std::string> services;
  bool start = false;
};
int stop_start_command(const StopStartOptions& options);

// `flotilla init [--example NAME] [-- COMMAND...]`: a commented starter flotilla.yaml.
struct InitOptions {
  std::string path{kDefaultConfigPath};
  std::string example;               // demo | web | proxy; empty: demo, or web with a command
  std::vector<std::string> command;  // after `--`: the app the web example runs
  bool force = false;                // overwrite an existing file
  bool stdout_only = false;          // -o -: print instead of writing
};
int init_command(const InitOptions& options);
int logs_command(const LogsOptions& options);
struct ExportOptions {
  std::string kind;        // prometheus-rules | grafana (k8s, systemd, nginx: not yet available)
  std::string output_dir;  // empty: stdout
  std::string config_path{kDefaultConfigPath};
  bool config_given = false;  // without -c, a missing ./flotilla.yaml means the built-in defaults
  std::string binary;         // systemd: the flotilla its unit runs (default: this executable)
};
int export_command(const ExportOptions& options);

// Why a fetch failed: `unreachable` when no flotilla answered (exit 69, as other commands).
struct FetchFailure {
  std::string message;
  bool unreachable = false;
};
// Fetches GET /api/v1/dashboard ({"points","status"}) or a bare status document from a running
// flotilla; nothing (and `failure` set) on failure. The CLI plugs in the admin client here.
using StatusFetcher = std::function<std::optional<nlohmann::json>(FetchFailure& failure)>;

struct TopOptions {
  std::chrono::milliseconds interval{2000};
  bool once = false;      // one table (after two samples, so rates are known), no screen control
  bool json = false;      // JSON rows instead of the table
  int max_refreshes = 0;  // 0: until interrupted (tests bound it)
  // Live screen control (clear, fit to width, `q` quits) only on a terminal; tests force it.
  std::optional<bool> terminal;
};
int top_command(const TopOptions& options, const StatusFetcher& fetch);

// Commands whose feature has not landed yet: a clear error, never a fake success.
int not_yet_available(std::string_view command, std::string_view arrives_with);

}  // namespace flotilla::app
