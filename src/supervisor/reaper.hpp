// The one place that waits for children: makes flotilla a child subreaper (orphaned grandchildren
// — uvicorn workers, `sh -c 'x &'` — are re-parented to it, since PID 1 here never reaps) and
// reaps *every* exited descendant with waitpid, handing each watched pid's status to its callback
// on the control thread. A watched child also gets a pidfd (pidfd_open(2), Linux ≥ 5.3) that
// turns readable the moment it exits; SIGCHLD + waitpid(-1, WNOHANG) reaps orphans and is the
// fallback when pidfd_open is unavailable. Unwatched pids (orphans) are reaped and logged at
// debug. Nothing else in the process may call wait*() while a Reaper exists.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/signal_set.hpp>

namespace flotilla::supervisor {

// pidfd_open(pid, 0), or -1 with errno set (ENOSYS before Linux 5.3). Close-on-exec.
int open_pidfd(pid_t pid);

class Reaper {
 public:
  using OnExit = std::function<void(int wait_status)>;

  // `use_pidfd = false` forces the SIGCHLD-only path (tests of the fallback).
  explicit Reaper(asio::io_context& control, bool use_pidfd = true);
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;
  ~Reaper();

  // Must be called on the control thread right after fork, before control returns to the loop
  // (only this Reaper reaps, so the pid cannot have been reused yet).
  void watch(pid_t pid, OnExit on_exit);
  void unwatch(pid_t pid) { watched_.erase(pid); }
  // Reaps whatever has exited now (also runs on each SIGCHLD).
  void reap_now();
  // SIGKILLs and reaps every child of this process that is not watched: orphaned descendants
  // re-parented here (a daemonized grandchild in its own session survives its group's SIGKILL
  // when there is no cgroup to find it). For the very end of a shutdown; bounded. Returns how
  // many were killed.
  std::size_t kill_orphans();
  // Stops listening for SIGCHLD and on pidfds (the io_context can then run out of work).
  void close();
  // Drops every callback (they may own what owns the Reaper: the caller destroys them outside).
  std::unordered_map<pid_t, OnExit> release_all();

  // Watched exits learned through a pidfd (the rest came through SIGCHLD / reap_now()).
  std::uint64_t exits_seen_by_pidfd() const { return exits_seen_by_pidfd_; }
  bool pidfd_enabled() const { return use_pidfd_; }

 private:
  struct Watched {
    OnExit on_exit;
    std::unique_ptr<asio::posix::stream_descriptor> pidfd;  // null: SIGCHLD only
  };
  void wait_for_signal();
  void wait_on_pidfd(pid_t pid, Watched& watched);
  void on_pidfd_readable(pid_t pid);
  void deliver(pid_t pid, int status);

  asio::io_context& control_;
  asio::signal_set signals_;
  std::unordered_map<pid_t, Watched> watched_;
  bool use_pidfd_;
  bool closed_ = false;
  std::uint64_t exits_seen_by_pidfd_ = 0;
  // Handlers hold it weakly: expired once the Reaper is destroyed (see wait_for_signal()).
  std::shared_ptr<Reaper*> alive_;
};

}  // namespace flotilla::supervisor
