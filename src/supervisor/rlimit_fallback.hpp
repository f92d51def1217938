// Resource limits when no cgroup can enforce them: memory as RLIMIT_AS (address space — stricter
// than resident memory: an allocation past it fails instead of being OOM-killed), pids as
// RLIMIT_NPROC (per user, and not enforced for root). CPU cannot be rate-limited by an rlimit.
#pragma once

#include <string>
#include <vector>

#include "config/spec.hpp"
#include "supervisor/spawn.hpp"

namespace flotilla::supervisor {

// The rlimits for what the cgroup did not cover; `applied`/`skipped` say what happened, for logs.
std::vector<RlimitSetting> rlimit_fallback(const config::Resources& resources,
                                           bool memory_by_cgroup, bool cpu_by_cgroup,
                                           bool pids_by_cgroup, std::vector<std::string>& applied,
                                           std::vector<std::string>& skipped);

}  // namespace flotilla::supervisor
