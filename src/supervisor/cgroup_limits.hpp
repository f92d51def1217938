// Per-instance cgroups (v1: memory, cpu, cpuacct, pids), created under flotilla's own group in each
// controller when that is writable: limits written before the child execs, usage sampled for
// status, the OOM killer's own counter read at exit, every task killed and the group removed after.
// Never touches a cgroup it did not create; the pure parsers/formatters are exposed for tests.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/spec.hpp"

namespace flotilla::supervisor {

// ---- pure helpers

// "4:memory:/a/b" lines → {"memory": "/a/b"}; "cpu,cpuacct" lines give both names.
std::map<std::string, std::string> parse_proc_cgroup(std::string_view text);

// A v1 hierarchy mount from /proc/self/mountinfo: its mount point and the cgroup path it shows.
struct CgroupMount {
  std::string mount_point;  // "/sys/fs/cgroup/memory"
  std::string root;         // "/" unless the cgroup namespace hides the upper levels
};
std::map<std::string, CgroupMount> parse_v1_mounts(std::string_view mountinfo);

// Kernel CFS quota for a millicore limit: 500m with a 100 ms period → 50000 us.
std::int64_t cpu_quota_us(std::uint32_t millicores, std::int64_t period_us);
// The "oom_kill N" counter of memory.oom_control (0 when absent).
std::uint64_t parse_oom_kill_count(std::string_view oom_control);

// ---- flotilla's own groups

// One directory per available controller: <mount><own path>/flotilla-<pid>. Removed on destruction.
class CgroupRoot {
 public:
  // Detects and creates what it can; controllers that are missing or not writable are left out.
  CgroupRoot();
  CgroupRoot(const CgroupRoot&) = delete;
  CgroupRoot& operator=(const CgroupRoot&) = delete;
  ~CgroupRoot();

  // Controller → flotilla's directory in it ("memory" → "/sys/fs/cgroup/memory/…/flotilla-42").
  const std::map<std::string, std::string>& dirs() const { return dirs_; }
  bool has(const std::string& controller) const { return dirs_.count(controller) != 0; }
  std::string describe() const;  // "memory, cpu, cpuacct, pids" or "none"

 private:
  std::map<std::string, std::string> dirs_;
};

// One run of one instance.
class InstanceCgroup {
 public:
  // Creates <root>/<name> in every controller the root has and writes the limits of `resources`
  // it can enforce. `applied` says which ones ("memory=536870912", "cpu=500m", "pids=100").
  InstanceCgroup(const CgroupRoot& root, const std::string& name,
                 const config::Resources& resources, std::vector<std::string>& applied);
  InstanceCgroup(const InstanceCgroup&) = delete;
  InstanceCgroup& operator=(const InstanceCgroup&) = delete;
  ~InstanceCgroup();

  std::vector<std::string> procs_files() const;  // for the child to join before exec
  bool limits_memory() const { return memory_limited_; }
  bool limits_pids() const { return pids_limited_; }

  std::uint64_t oom_kills() const;
  std::optional<double> cpu_seconds() const;
  std::optional<std::uint64_t> memory_bytes() const;
  // SIGKILLs every task still in the group (processes that left the process group included).
  void kill_all() const;
  // Removes the directories; false while tasks remain (the destructor tries again).
  bool remove();

 private:
  std::string dir(const std::string& controller) const;

  std::map<std::string, std::string> dirs_;  // controller → this instance's directory
  bool memory_limited_ = false;
  bool pids_limited_ = false;
};

}  // namespace flotilla::supervisor
