// Starting one child process the way the supervisor needs it: fork + exec with its own process
// group, PR_SET_PDEATHSIG(SIGKILL), stdin from /dev/null, stdout+stderr to a given fd, a cwd, an
// exact environment, optional privilege drop, cgroup membership and rlimits applied *before*
// exec. Everything is prepared in the parent; the child only makes async-signal-safe calls.
// Never waits for the child (the Reaper does) and never runs a shell itself.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace flotilla::supervisor {

struct RlimitSetting {
  int resource = 0;  // RLIMIT_AS, RLIMIT_NPROC...
  rlim_t value = 0;  // soft and hard
};

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is looked up in the PATH of `env` when it has no '/'
  std::vector<std::string> env;   // "K=V", the child's whole environment
  std::string cwd;                // empty: inherit
  int output_fd = -1;             // stdout and stderr; -1: /dev/null
  std::optional<uid_t> uid;       // set when dropping privileges
  std::optional<gid_t> gid;
  std::vector<std::string> cgroup_procs;  // cgroup.procs files the child writes its pid into
  std::vector<RlimitSetting> rlimits;
};

struct SpawnResult {
  pid_t pid = 0;      // > 0 on success; the child is also its process group's leader
  std::string error;  // why not ("exec /x: No such file or directory")
};

SpawnResult spawn_process(const SpawnRequest& request);

// argv[0] resolved against a PATH value ("" when not found). Pure lookup with access(X_OK).
std::string find_executable(const std::string& name, const std::string& path_value);

// Resolves a user and/or group name (or numeric id) for privilege dropping.
struct Credentials {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::string error;
};
Credentials resolve_credentials(const std::optional<std::string>& user,
                                const std::optional<std::string>& group);

}  // namespace flotilla::supervisor
