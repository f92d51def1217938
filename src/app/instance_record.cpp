// Instance records: small JSON files, written atomically (temp file + rename).
#include "app/instance_record.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace flotilla::app {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRecordName = "instance.json";

bool alive(int pid) {
  if (pid <= 0) return false;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

std::optional<InstanceRecord> read_record(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  const nlohmann::json value = nlohmann::json::parse(text.str(), nullptr, false);
  return record_from_json(value);
}

void write_atomically(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) {
      spdlog::warn("cannot write {}: the CLI will not find this flotilla from elsewhere",
                   path.string());
      return;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) spdlog::warn("cannot write {}: {}", path.string(), ec.message());
}

fs::path user_record_path(int pid) {
  return runtime_dir() / "instances" / fmt::format("{}.json", pid);
}

}  // namespace

nlohmann::json to_json(const InstanceRecord& record) {
  return {{"pid", record.pid},
          {"config", record.config},
          {"state_dir", record.state_dir},
          {"admin_socket", record.admin_socket},
          {"admin_url", record.admin_url},
          {"started", record.started}};
}

std::optional<InstanceRecord> record_from_json(const nlohmann::json& value) {
  if (!value.is_object() || !value.contains("pid") || !value["pid"].is_number_integer()) {
    return std::nullopt;
  }
  InstanceRecord record;
  record.pid = value["pid"].get<int>();
  const auto text = [&](const char* key) {
    const auto it = value.find(key);
    return it != value.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  record.config = text("config");
  record.state_dir = text("state_dir");
  record.admin_socket = text("admin_socket");
  record.admin_url = text("admin_url");
  record.started = text("started");
  if (record.admin_address().empty()) return std::nullopt;
  return record;
}

fs::path runtime_dir() {
  if (const char* dir = std::getenv("FLOTILLA_RUNTIME_DIR"); dir && *dir) return dir;
  if (const char* dir = std::getenv("XDG_RUNTIME_DIR"); dir && *dir)
    return fs::path(dir) / "flotilla";
  if (const char* home = std::getenv("HOME"); home && *home) {
    return fs::path(home) / ".local" / "state" / "flotilla";
  }
  return fmt::format("/tmp/flotilla-{}", ::getuid());
}

void write_instance_record(const InstanceRecord& record) {
  const std::string text = to_json(record).dump(2) + "\n";
  if (!record.state_dir.empty()) write_atomically(fs::path(record.state_dir) / kRecordName, text);
  write_atomically(user_record_path(record.pid), text);
}

void remove_instance_record(const InstanceRecord& record) {
  std::error_code ec;
  if (!record.state_dir.empty()) fs::remove(fs::path(record.state_dir) / kRecordName, ec);
  fs::remove(user_record_path(record.pid), ec);
}

std::optional<InstanceRecord> read_live_record(const fs::path& state_dir) {
  std::optional<InstanceRecord> record = read_record(state_dir / kRecordName);
  if (!record || !alive(record->pid)) return std::nullopt;
  return record;
}

std::vector<InstanceRecord> live_instances() {
  std::vector<InstanceRecord> out;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(runtime_dir() / "instances", ec)) {
    if (entry.path().extension() != ".json") continue;
    std::optional<InstanceRecord> record = read_record(entry.path());
    if (!record) continue;
    if (!alive(record->pid)) {
      std::error_code ignored;
      fs::remove(entry.path(), ignored);  // a flotilla that was killed: its record is stale
      continue;
    }
    out.push_back(std::move(*record));
  }
  std::sort(out.begin(), out.end(), [](const InstanceRecord& a, const InstanceRecord& b) {
    return a.started != b.started ? a.started < b.started : a.pid < b.pid;
  });
  return out;
}

}  // namespace flotilla::app
