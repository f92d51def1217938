// pidfd- and SIGCHLD-driven reaping of every descendant (see reaper.hpp).
#include "supervisor/reaper.hpp"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <spdlog/spdlog.h>

namespace flotilla::supervisor {

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  // pidfds are always close-on-exec (pidfd_open(2)).
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

namespace {

// Children of `parent` from /proc/*/stat (field 4, after the parenthesized command name).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::stringstream text;
    text << in.rdbuf();
    const std::string stat = text.str();
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    // Zombies are only waiting for reap_now(); killing them would mean nothing.
    if (fields >> state >> ppid && ppid == parent && state != "Z") {
      out.push_back(std::stoi(name));
    }
  }
  return out;
}

}  // namespace

Reaper::Reaper(asio::io_context& control, bool use_pidfd)
    : control_(control),
      signals_(control, SIGCHLD),
      use_pidfd_(use_pidfd),
      alive_(std::make_shared<Reaper*>(this)) {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    spdlog::warn(
        "supervisor: PR_SET_CHILD_SUBREAPER failed ({}); orphaned grandchildren go to PID 1",
        std::strerror(errno));
  }
  wait_for_signal();
}

Reaper::~Reaper() = default;

void Reaper::watch(pid_t pid, OnExit on_exit) {
  Watched& watched = watched_[pid];
  watched.on_exit = std::move(on_exit);
  watched.pidfd.reset();
  if (!use_pidfd_ || closed_) return;
  const int fd = open_pidfd(pid);
  if (fd < 0) {
    // ENOSYS (kernel < 5.3) or a seccomp filter: SIGCHLD still reports the exit.
    spdlog::debug("supervisor: pidfd_open({}) failed: {}; relying on SIGCHLD", pid,
                  std::strerror(errno));
    if (errno == ENOSYS || errno == EPERM) use_pidfd_ = false;
    return;
  }
  watched.pidfd = std::make_unique<asio::posix::stream_descriptor>(control_, fd);
  wait_on_pidfd(pid, watched);
}

void Reaper::wait_on_pidfd(pid_t pid, Watched& watched) {
  // The descriptor is destroyed when the pid is reaped by any path (or on close()), which
  // completes this wait with operation_aborted. A wait that had already completed still runs:
  // the weak token says whether the Reaper is still there.
  watched.pidfd->async_wait(asio::posix::stream_descriptor::wait_read,
                            [alive = std::weak_ptr<Reaper*>(alive_), pid](std::error_code ec) {
                              const std::shared_ptr<Reaper*> self = alive.lock();
                              if (ec || !self) return;
                              (*self)->on_pidfd_readable(pid);
                            });
}

void Reaper::on_pidfd_readable(pid_t pid) {
  if (closed_) return;
  int status = 0;
  pid_t reaped;
  do {
    reaped = ::waitpid(pid, &status, WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  auto found = watched_.find(pid);
  if (found == watched_.end()) return;
  if (reaped == pid) {
    ++exits_seen_by_pidfd_;
    deliver(pid, status);
  } else if (reaped == 0) {
    wait_on_pidfd(pid, found->second);  // not exited after all: wait again
  } else {
    // ECHILD: reaped by some other path; the SIGCHLD handler reports watched pids, so this
    // only drops the descriptor.
    found->second.pidfd.reset();
  }
}

std::size_t Reaper::kill_orphans() {
  // A killed orphan's own children are re-parented here in turn: a few rounds, each short.
  constexpr int kRounds = 10;
  constexpr auto kPause = std::chrono::milliseconds(20);
  std::unordered_set<pid_t> killed;
  for (int round = 0; round < kRounds; ++round) {
    reap_now();
    bool any = false;
    for (pid_t pid : children_of(::getpid())) {
      if (watched_.count(pid) != 0) continue;
      any = true;
      if (::kill(pid, SIGKILL) == 0) killed.insert(pid);
    }
    if (!any) break;
    std::this_thread::sleep_for(kPause);
  }
  reap_now();
  if (!killed.empty()) spdlog::info("supervisor: killed {} orphaned descendant(s)", killed.size());
  return killed.size();
}

void Reaper::close() {
  closed_ = true;
  std::error_code ignored;
  signals_.cancel(ignored);
  for (auto& [pid, watched] : watched_) watched.pidfd.reset();
}

std::unordered_map<pid_t, Reaper::OnExit> Reaper::release_all() {
  std::unordered_map<pid_t, OnExit> out;
  for (auto& [pid, watched] : watched_) out.emplace(pid, std::move(watched.on_exit));
  watched_.clear();
  return out;
}

void Reaper::wait_for_signal() {
  // A SIGCHLD already queued when the Reaper goes away still runs its handler (with success):
  // the weak token, not `this`, says whether there is anything left to do.
  signals_.async_wait([alive = std::weak_ptr<Reaper*>(alive_)](std::error_code ec, int) {
    const std::shared_ptr<Reaper*> self = alive.lock();
    if (ec || !self || (*self)->closed_) return;
    (*self)->reap_now();
    (*self)->wait_for_signal();
  });
}

void Reaper::deliver(pid_t pid, int status) {
  auto found = watched_.find(pid);
  if (found == watched_.end()) return;
  OnExit on_exit = std::move(found->second.on_exit);
  watched_.erase(found);  // also closes the pidfd, aborting its wait
  if (on_exit) on_exit(status);
}

void Reaper::reap_now() {
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;  // nothing more exited now, or no children at all
    if (watched_.count(pid) == 0) {
      spdlog::debug("supervisor: reaped orphan pid {} (status {:#x})", pid, status);
      continue;
    }
    deliver(pid, status);
  }
}

}  // namespace flotilla::supervisor
