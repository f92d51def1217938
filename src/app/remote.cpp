// Finding the admin API from the CLI, and the error wording shared by the remote commands.
#include "app/remote.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "app/exit_codes.hpp"
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

}  // namespace

std::optional<AdminLocation> locate_admin(const RemoteOptions& options, std::string& error) {
  AdminLocation location;
  if (!options.admin_url.empty()) {
    auto target = admin::parse_admin_url(options.admin_url, error);
    if (!target) return std::nullopt;
    location.target = std::move(*target);
    return location;
  }
  const fs::path config_path(options.config_path);
  std::error_code ec;
  if (!fs::exists(config_path, ec)) {
    if (options.config_given) {
      error = fmt::format("{}: no such file (give the config `flotilla up` runs, or --admin URL)",
                          options.config_path);
      return std::nullopt;
    }
    location.target.path = (fs::current_path() / kSocketName).string();
    location.hint =
        fmt::format("no {} here, so this is the embedded demo's socket", options.config_path);
    return location;
  }
  const config::LoadResult loaded = config::load_file(config_path);
  location.target.path =
      loaded.ok() ? loaded.spec->admin.socket.string() : lenient_socket(config_path).string();
  location.hint = fmt::format("admin.socket of {}", options.config_path);
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
  return [options](std::string& error) -> std::optional<nlohmann::json> {
    const std::optional<AdminLocation> location = locate_admin(options, error);
    if (!location) return std::nullopt;
    try {
      const admin::Client client(location->target, std::nullopt, location->hint);
      const admin::ClientResponse response = client.get("/api/v1/status");
      if (!response.ok()) {
        error = response.error_message();
        return std::nullopt;
      }
      return response.json;
    } catch (const admin::ClientError& e) {
      error = e.what();
      return std::nullopt;
    }
  };
}

}  // namespace flotilla::app
