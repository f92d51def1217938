// fork + exec for instances and exec probes (see spawn.hpp). The child side must stay
// async-signal-safe: flotilla has other threads, so no malloc, no locks, no stdio after fork.
#include "supervisor/spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace flotilla::supervisor {
namespace {

// What failed in the child, sent back over a close-on-exec pipe (EOF means exec succeeded).
struct ChildError {
  int stage = 0;
  int error = 0;
};

enum Stage { kSetpgid = 1, kCgroup, kRlimit, kStdio, kChdir, kCredentials, kExec };

const char* stage_name(int stage) {
  switch (stage) {
    case kSetpgid:
      return "setpgid";
    case kCgroup:
      return "joining the cgroup";
    case kRlimit:
      return "setrlimit";
    case kStdio:
      return "redirecting stdio";
    case kChdir:
      return "chdir";
    case kCredentials:
      return "dropping privileges";
    case kExec:
      return "exec";
  }
  return "start";
}

[[noreturn]] void child_fail(int error_fd, int stage) {
  ChildError report{stage, errno};
  [[maybe_unused]] ssize_t n = ::write(error_fd, &report, sizeof report);
  ::_exit(127);
}

// Formats a pid without allocating (async-signal-safe).
std::size_t format_pid(pid_t pid, char* buffer) {
  char digits[16];
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + pid % 10);
    pid /= 10;
  } while (pid > 0);
  for (std::size_t i = 0; i < n; ++i) buffer[i] = digits[n - 1 - i];
  return n;
}

[[noreturn]] void run_child(const SpawnRequest& request, const std::vector<char*>& argv,
                            const std::vector<char*>& envp, const std::string& executable,
                            const std::vector<int>& cgroup_fds, int dev_null, int error_fd,
                            pid_t parent) {
  if (::setpgid(0, 0) != 0) child_fail(error_fd, kSetpgid);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // flotilla died before prctl took effect

  char pid_text[16];
  const std::size_t pid_length = format_pid(::getpid(), pid_text);
  for (int fd : cgroup_fds) {
    if (::write(fd, pid_text, pid_length) < 0) child_fail(error_fd, kCgroup);
  }
  for (const RlimitSetting& limit : request.rlimits) {
    const rlimit value{limit.value, limit.value};
    if (::setrlimit(static_cast<__rlimit_resource>(limit.resource), &value) != 0) {
      child_fail(error_fd, kRlimit);
    }
  }

  // Signals: flotilla ignores SIGPIPE and may block others; the app must start from defaults.
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &default_action, nullptr);

  const int output = request.output_fd >= 0 ? request.output_fd : dev_null;
  if (::dup2(dev_null, STDIN_FILENO) < 0 || ::dup2(output, STDOUT_FILENO) < 0 ||
      ::dup2(output, STDERR_FILENO) < 0) {
    child_fail(error_fd, kStdio);
  }
  if (!request.cwd.empty() && ::chdir(request.cwd.c_str()) != 0) child_fail(error_fd, kChdir);
  if (request.gid) {
    if (::setgroups(1, &*request.gid) != 0 || ::setgid(*request.gid) != 0) {
      child_fail(error_fd, kCredentials);
    }
  }
  if (request.uid && ::setuid(*request.uid) != 0) child_fail(error_fd, kCredentials);

  // Nothing else of flotilla's (listening sockets, log files, pipes) leaks into the app.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve(executable.c_str(), argv.data(), envp.data());
  child_fail(error_fd, kExec);
}

std::string path_of(const std::vector<std::string>& env) {
  for (const std::string& entry : env) {
    if (entry.rfind("PATH=", 0) == 0) return entry.substr(5);
  }
  return "/usr/local/bin:/usr/bin:/bin";
}

}  // namespace

std::string find_executable(const std::string& name, const std::string& path_value) {
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return name;
  std::size_t start = 0;
  while (start <= path_value.size()) {
    std::size_t end = path_value.find(':', start);
    if (end == std::string::npos) end = path_value.size();
    std::string dir = path_value.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

Credentials resolve_credentials(const std::optional<std::string>& user,
                                const std::optional<std::string>& group) {
  Credentials out;
  std::vector<char> buffer(16384);
  if (user) {
    passwd entry{};
    passwd* found = nullptr;
    ::getpwnam_r(user->c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (found) {
      out.uid = found->pw_uid;
      out.gid = found->pw_gid;  // the user's primary group unless `group` says otherwise
    } else if (!user->empty() && user->find_first_not_of("0123456789") == std::string::npos) {
      out.uid = static_cast<uid_t>(std::stoul(*user));
    } else {
      out.error = fmt::format("unknown user '{}'", *user);
      return out;
    }
  }
  if (group) {
    struct group entry {};
    struct group* found = nullptr;
    ::getgrnam_r(group->c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (found) {
      out.gid = found->gr_gid;
    } else if (!group->empty() && group->find_first_not_of("0123456789") == std::string::npos) {
      out.gid = static_cast<gid_t>(std::stoul(*group));
    } else {
      out.error = fmt::format("unknown group '{}'", *group);
    }
  }
  return out;
}

SpawnResult spawn_process(const SpawnRequest& request) {
  SpawnResult result;
  if (request.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  const std::string executable = find_executable(request.argv[0], path_of(request.env));
  if (executable.empty()) {
    result.error = fmt::format("{}: command not found", request.argv[0]);
    return result;
  }

  // Everything the child needs, built before fork.
  std::vector<std::string> argv_copy = request.argv;
  std::vector<std::string> env_copy = request.env;
  std::vector<char*> argv;
  for (std::string& arg : argv_copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : env_copy) envp.push_back(entry.data());
  envp.push_back(nullptr);

  std::vector<int> cgroup_fds;
  auto close_all = [&] {
    for (int fd : cgroup_fds) ::close(fd);
  };
  for (const std::string& procs : request.cgroup_procs) {
    const int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      result.error = fmt::format("open {}: {}", procs, std::strerror(errno));
      close_all();
      return result;
    }
    cgroup_fds.push_back(fd);
  }
  const int dev_null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  int error_pipe[2];
  if (dev_null < 0 || ::pipe2(error_pipe, O_CLOEXEC) != 0) {
    result.error = fmt::format("pipe: {}", std::strerror(errno));
    if (dev_null >= 0) ::close(dev_null);
    close_all();
    return result;
  }

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(error_pipe[0]);
    run_child(request, argv, envp, executable, cgroup_fds, dev_null, error_pipe[1], parent);
  }
  const int fork_errno = errno;
  ::close(error_pipe[1]);
  ::close(dev_null);
  close_all();
  if (pid < 0) {
    ::close(error_pipe[0]);
    result.error = fmt::format("fork: {}", std::strerror(fork_errno));
    return result;
  }
  // Also set the group from the parent so that a signal sent right after spawn reaches it.
  ::setpgid(pid, pid);

  ChildError report;
  ssize_t n;
  do {
    n = ::read(error_pipe[0], &report, sizeof report);
  } while (n < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  result.pid = pid;  // even on failure: the child exists until reaped (it exits 127)
  if (n == static_cast<ssize_t>(sizeof report)) {
    // Name what the failing step was about: the directory for chdir, the program otherwise.
    const std::string& subject = report.stage == kExec    ? executable
                                 : report.stage == kChdir ? request.cwd
                                                          : request.argv[0];
    result.error =
        fmt::format("{} {}: {}", stage_name(report.stage), subject, std::strerror(report.error));
  }
  return result;
}

}  // namespace flotilla::supervisor
