// The rlimit fallback (see rlimit_fallback.hpp).
#include "supervisor/rlimit_fallback.hpp"

#include <sys/resource.h>

#include <fmt/format.h>

namespace flotilla::supervisor {

std::vector<RlimitSetting> rlimit_fallback(const config::Resources& resources,
                                           bool memory_by_cgroup, bool cpu_by_cgroup,
                                           bool pids_by_cgroup, std::vector<std::string>& applied,
                                           std::vector<std::string>& skipped) {
  std::vector<RlimitSetting> limits;
  if (resources.memory_bytes && !memory_by_cgroup) {
    limits.push_back({RLIMIT_AS, static_cast<rlim_t>(*resources.memory_bytes)});
    applied.push_back(fmt::format("memory={} (RLIMIT_AS)", *resources.memory_bytes));
  }
  if (resources.pids && !pids_by_cgroup) {
    limits.push_back({RLIMIT_NPROC, static_cast<rlim_t>(*resources.pids)});
    applied.push_back(fmt::format("pids={} (RLIMIT_NPROC)", *resources.pids));
  }
  if (resources.cpu_millis && !cpu_by_cgroup) {
    skipped.push_back(fmt::format("cpu={}m (no writable cpu cgroup)", *resources.cpu_millis));
  }
  return limits;
}

}  // namespace flotilla::supervisor
