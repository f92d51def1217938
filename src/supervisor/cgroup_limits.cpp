// cgroup v1 plumbing for instances (see cgroup_limits.hpp). Files are tiny; plain
// open/read/write keeps every failure visible as an errno.
#include "supervisor/cgroup_limits.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace flotilla::supervisor {
namespace {

constexpr std::int64_t kCpuPeriodUs = 100000;
constexpr std::array<const char*, 4> kControllers{"memory", "cpu", "cpuacct", "pids"};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool write_file(const std::string& path, const std::string& value) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  ::close(fd);
  return ok;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::optional<std::uint64_t> read_number(const std::string& path) {
  const std::string text = read_file(path);
  if (text.empty()) return std::nullopt;
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::map<std::string, std::string> parse_proc_cgroup(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : split(text, '\n')) {
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view names = line.substr(first + 1, second - first - 1);
    const std::string_view path = line.substr(second + 1);
    if (names.empty()) continue;  // the v2 line "0::/..."
    for (std::string_view name : split(names, ',')) out[std::string(name)] = std::string(path);
  }
  return out;
}

std::map<std::string, CgroupMount> parse_v1_mounts(std::string_view mountinfo) {
  std::map<std::string, CgroupMount> out;
  for (std::string_view line : split(mountinfo, '\n')) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    const std::size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    const std::vector<std::string_view> before = split(line.substr(0, dash), ' ');
    const std::vector<std::string_view> after = split(line.substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3 || after[0] != "cgroup") continue;
    for (std::string_view option : split(after[2], ',')) {
      for (const char* controller : kControllers) {
        if (option == controller) {
          out[controller] = CgroupMount{std::string(before[4]), std::string(before[3])};
        }
      }
    }
  }
  return out;
}

std::int64_t cpu_quota_us(std::uint32_t millicores, std::int64_t period_us) {
  // The kernel refuses quotas under 1 ms.
  return std::max<std::int64_t>(1000, static_cast<std::int64_t>(millicores) * period_us / 1000);
}

std::uint64_t parse_oom_kill_count(std::string_view oom_control) {
  for (std::string_view line : split(oom_control, '\n')) {
    constexpr std::string_view kKey = "oom_kill ";
    if (line.substr(0, kKey.size()) == kKey) {
      try {
        return std::stoull(std::string(line.substr(kKey.size())));
      } catch (const std::exception&) {
        return 0;
      }
    }
  }
  return 0;
}

CgroupRoot::CgroupRoot() {
  const auto own = parse_proc_cgroup(read_file("/proc/self/cgroup"));
  const auto mounts = parse_v1_mounts(read_file("/proc/self/mountinfo"));
  const std::string leaf = fmt::format("flotilla-{}", ::getpid());
  for (const char* controller : kControllers) {
    auto mount = mounts.find(controller);
    auto path = own.find(controller);
    if (mount == mounts.end() || path == own.end()) continue;
    std::string relative = path->second;
    if (mount->second.root != "/" && relative.rfind(mount->second.root, 0) == 0) {
      relative = relative.substr(mount->second.root.size());
    }
    std::string dir = mount->second.mount_point + relative;
    if (!dir.empty() && dir.back() != '/') dir += '/';
    dir += leaf;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) continue;
    dirs_[controller] = dir;
  }
}

CgroupRoot::~CgroupRoot() {
  std::set<std::string> done;
  for (const auto& [controller, dir] : dirs_) {
    if (!done.insert(dir).second) continue;
    // Instance groups whose removal was still pending (their tasks were dying) go first.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.is_directory(ec)) ::rmdir(entry.path().c_str());
    }
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
      spdlog::warn("supervisor: could not remove cgroup {}: {}", dir, std::strerror(errno));
    }
  }
}

std::string CgroupRoot::describe() const {
  if (dirs_.empty()) return "none";
  std::string out;
  for (const auto& [controller, dir] : dirs_) out += (out.empty() ? "" : ", ") + controller;
  return out;
}

InstanceCgroup::InstanceCgroup(const CgroupRoot& root, const std::string& name,
                               const config::Resources& resources,
                               std::vector<std::string>& applied) {
  for (const auto& [controller, parent] : root.dirs()) {
    const bool needed = controller == "memory" || controller == "cpuacct" ||
                        (controller == "cpu" && resources.cpu_millis) ||
                        (controller == "pids" && resources.pids);
    if (!needed) continue;
    const std::string dir = parent + "/" + name;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      spdlog::warn("supervisor: cannot create cgroup {}: {}", dir, std::strerror(errno));
      continue;
    }
    dirs_[controller] = dir;
  }
  if (resources.memory_bytes && dirs_.count("memory")) {
    const std::string limit = std::to_string(*resources.memory_bytes);
    memory_limited_ = write_file(dir("memory") + "/memory.limit_in_bytes", limit);
    // With swap, the limit alone would swap instead of OOM-killing; absent without swap accounting.
    write_file(dir("memory") + "/memory.memsw.limit_in_bytes", limit);
    if (memory_limited_) applied.push_back("memory=" + limit);
  }
  if (resources.cpu_millis && dirs_.count("cpu")) {
    const bool ok = write_file(dir("cpu") + "/cpu.cfs_period_us", std::to_string(kCpuPeriodUs)) &&
                    write_file(dir("cpu") + "/cpu.cfs_quota_us",
                               std::to_string(cpu_quota_us(*resources.cpu_millis, kCpuPeriodUs)));
    if (ok) applied.push_back(fmt::format("cpu={}m", *resources.cpu_millis));
  }
  if (resources.pids && dirs_.count("pids")) {
    pids_limited_ = write_file(dir("pids") + "/pids.max", std::to_string(*resources.pids));
    if (pids_limited_) applied.push_back(fmt::format("pids={}", *resources.pids));
  }
}

InstanceCgroup::~InstanceCgroup() {
  if (!remove()) {
    kill_all();
    ::usleep(20000);  // the kill is asynchronous; give the kernel a moment before the last try
    if (!remove()) spdlog::warn("supervisor: cgroup of an instance left behind (tasks remain)");
  }
}

std::string InstanceCgroup::dir(const std::string& controller) const {
  auto found = dirs_.find(controller);
  return found == dirs_.end() ? std::string() : found->second;
}

std::vector<std::string> InstanceCgroup::procs_files() const {
  std::vector<std::string> files;
  for (const auto& [controller, dir] : dirs_) files.push_back(dir + "/cgroup.procs");
  return files;
}

std::uint64_t InstanceCgroup::oom_kills() const {
  if (!dirs_.count("memory")) return 0;
  return parse_oom_kill_count(read_file(dir("memory") + "/memory.oom_control"));
}

std::optional<double> InstanceCgroup::cpu_seconds() const {
  if (!dirs_.count("cpuacct")) return std::nullopt;
  const auto nanoseconds = read_number(dir("cpuacct") + "/cpuacct.usage");
  if (!nanoseconds) return std::nullopt;
  return static_cast<double>(*nanoseconds) / 1e9;
}

std::optional<std::uint64_t> InstanceCgroup::memory_bytes() const {
  if (!dirs_.count("memory")) return std::nullopt;
  return read_number(dir("memory") + "/memory.usage_in_bytes");
}

void InstanceCgroup::kill_all() const {
  for (const auto& [controller, dir] : dirs_) {
    std::istringstream procs(read_file(dir + "/cgroup.procs"));
    for (long pid; procs >> pid;) {
      if (pid > 0) ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
  }
}

bool InstanceCgroup::remove() {
  bool all = true;
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (::rmdir(it->second.c_str()) == 0 || errno == ENOENT) {
      it = dirs_.erase(it);
    } else {
      all = false;
      ++it;
    }
  }
  return all;
}

}  // namespace flotilla::supervisor
