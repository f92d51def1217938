// Finding the admin API from the CLI, and the error wording shared by the remote commands.
#include "app/remote.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "app/exit_codes.hpp"
#include "app/instance_record.hpp"
#include "config/env_expand.hpp"
#include "config/loader.hpp"

namespace flotilla::app {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSocketName = "flotilla.sock";

// `socket: VALUE` in the block under a top-level `admin:` key, read line by line: for a file
// YAML cannot parse (a bad edit just before `flotilla reload`), whose admin block is most likely
// still intact. Block style only; quotes and a trailing comment are stripped.
std::optional<std::string> scan_admin_socket(const fs::path& config_path) {
  std::ifstream file(config_path);
  std::string line;
  bool in_admin = false;
  while (std::getline(file, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos || line[indent] == '#') continue;
    if (indent == 0) {
      in_admin = line.rfind("admin:", 0) == 0;
      continue;
    }
    if (!in_admin || line.compare(indent, 7, "socket:") != 0) continue;
    std::string value = line.substr(indent + 7);
    if (const std::size_t comment = value.find(" #"); comment != std::string::npos) {
      value.resize(comment);
    }
    const std::size_t first = value.find_first_not_of(" \t");
    if (first == std::string::npos) return std::nullopt;
    value = value.substr(first, value.find_last_not_of(" \t") - first + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (!value.empty()) return value;
  }
  return std::nullopt;
}

// admin.socket of a config that does not load: read just that key, resolved like the loader
// does (relative to the file's directory, ${VAR} expanded), defaulting to flotilla.sock there.
fs::path lenient_socket(const fs::path& config_path) {
  const fs::path dir = fs::absolute(config_path).parent_path();
  std::optional<std::string> text;
  try {
    const YAML::Node root = YAML::LoadFile(config_path.string());
    const YAML::Node socket = root["admin"]["socket"];
    if (socket && socket.IsScalar()) text = socket.as<std::string>();
  } catch (const std::exception&) {
    text = scan_admin_socket(config_path);
  }
  if (!text) return dir / kSocketName;
  if (auto expanded = config::expand_env(*text, config::process_environment())) text = *expanded;
  const fs::path path(*text);
  return (path.is_absolute() ? path : dir / path).lexically_normal();
}

std::optional<std::string> read_token_file(const std::string& path, std::string& error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = fmt::format("--token-file {}: cannot read it", path);
    return std::nullopt;
  }
  std::ostringstream text;
  text << file.rdbuf();
  std::string token = text.str();
  const std::size_t first = token.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    error = fmt::format("--token-file {}: the file is empty", path);
    return std::nullopt;
  }
  token = token.substr(first, token.find_last_not_of(" \t\r\n") - first + 1);
  return token;
}

std::optional<AdminLocation> admin_at(const std::string& address, std::string hint,
                                      std::string& error) {
  auto target = admin::parse_admin_url(address, error);
  if (!target) return std::nullopt;
  return AdminLocation{std::move(*target), std::move(hint)};
}

std::string env_text(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

// No config named and none here: the running flotilla recorded in ./.flotilla (or a parent
// directory's), else the only one running for this user, else the embedded demo's socket.
std::optional<AdminLocation> locate_recorded(std::string& error) {
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !dir.empty(); dir = dir.parent_path()) {
    if (auto record = read_live_record(dir / ".flotilla")) {
      return admin_at(
          record->admin_address(),
          fmt::format("the flotilla running from {} (pid {})", dir.string(), record->pid), error);
    }
    if (dir == dir.root_path()) break;
  }
  const std::vector<InstanceRecord> running = live_instances();
  if (running.size() == 1) {
    const InstanceRecord& only = running.front();
    return admin_at(only.admin_address(),
                    fmt::format("the only flotilla running (pid {}, {})", only.pid,
                                only.config.empty() ? "embedded demo" : only.config),
                    error);
  }
  if (running.size() > 1) {
    error = fmt::format("{} flotillas are running; say which with -c FILE or FLOTILLA_CONFIG:",
                        running.size());
    for (const InstanceRecord& one : running) {
      error += fmt::format("\n  pid {}: {}", one.pid,
                           one.config.empty() ? "embedded demo in " + one.state_dir : one.config);
    }
    return std::nullopt;
  }
  AdminLocation location;
  location.target.path = (fs::current_path() / kSocketName).string();
  location.hint = fmt::format(
      "no flotilla.yaml here and no running flotilla recorded in {}, so this is the embedded "
      "demo's socket; set FLOTILLA_CONFIG or use -c",
      runtime_dir().string());
  return location;
}

}  // namespace

std::optional<AdminLocation> locate_admin(const RemoteOptions& options, std::string& error) {
  if (!options.admin_url.empty()) return admin_at(options.admin_url, "", error);
  RemoteOptions chosen = options;
  if (!options.config_given) {
    if (const std::string admin = env_text("FLOTILLA_ADMIN"); !admin.empty()) {
      return admin_at(admin, "FLOTILLA_ADMIN", error);
    }
    if (const std::string config = env_text("FLOTILLA_CONFIG"); !config.empty()) {
      chosen.config_path = config;
      chosen.config_given = true;
    }
  }
  AdminLocation location;
  const fs::path config_path(chosen.config_path);
  std::error_code ec;
  if (!fs::exists(config_path, ec)) {
    if (chosen.config_given) {
      error = fmt::format("{}: no such file (give the config `flotilla up` runs, or --admin URL)",
                          chosen.config_path);
      return std::nullopt;
    }
    return locate_recorded(error);
  }
  const config::LoadResult loaded = config::load_file(config_path);
  location.target.path =
      loaded.ok() ? loaded.spec->admin.socket.string() : lenient_socket(config_path).string();
  location.hint = fmt::format("admin.socket of {}", chosen.config_path);
  return location;
}

int with_admin_client(const RemoteOptions& options, std::string_view command,
                      const std::function<int(const admin::Client&)>& body) {
  std::string error;
  std::optional<AdminLocation> location = locate_admin(options, error);
  if (!location) return fail(command, error, kExitUsage);
  std::optional<std::string> token;
  if (!options.token_file.empty()) {
    token = read_token_file(options.token_file, error);
    if (!token) return fail(command, error, kExitUsage);
  }
  const admin::Client client(std::move(location->target), std::move(token),
                             std::move(location->hint));
  try {
    return body(client);
  } catch (const admin::ClientError& e) {
    const bool unreachable = e.kind() == admin::ClientError::Kind::kUnreachable;
    return fail(command, e.what(), unreachable ? kExitUnreachable : kExitFailure);
  }
}

int report_http_error(std::string_view command, const admin::ClientResponse& response) {
  std::string message = response.error_message();
  if (response.status == 401) {
    message += " (changes need the unix socket, or --token-file with the admin token)";
  }
  return fail(command, message, kExitFailure);
}

int fail(std::string_view command, std::string_view message, int code) {
  fmt::print(stderr, "flotilla {}: {}\n", command, message);
  return code;
}

void print_json(const nlohmann::json& value) {
  fmt::print("{}\n", value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

StatusFetcher admin_status_fetcher(const RemoteOptions& options) {
  return [options](FetchFailure& failure) -> std::optional<nlohmann::json> {
    const std::optional<AdminLocation> location = locate_admin(options, failure.message);
    if (!location) return std::nullopt;
    try {
      const admin::Client client(location->target, std::nullopt, location->hint);
      // The dashboard's answer carries the status and the recent traffic points (rates, p95).
      const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      const admin::ClientResponse response =
          client.get(fmt::format("/api/v1/dashboard?since={}", now_ms - 10'000));
      if (!response.ok()) {
        failure.message = response.error_message();
        return std::nullopt;
      }
      return response.json;
    } catch (const admin::ClientError& e) {
      failure.message = e.what();
      failure.unreachable = e.kind() == admin::ClientError::Kind::kUnreachable;
      return std::nullopt;
    }
  };
}

}  // namespace flotilla::app
