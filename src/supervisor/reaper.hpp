// The one place that waits for children: makes flotilla a child subreaper (orphaned grandchildren
// — uvicorn workers, `sh -c 'x &'` — are re-parented to it, since PID 1 here never reaps) and on
// every SIGCHLD reaps *every* exited descendant with waitpid(-1, WNOHANG), handing each watched
// pid's status to its callback on the control thread. Unwatched pids (orphans) are reaped and
// logged at debug. Nothing else in the process may call wait*() while a Reaper exists.
#pragma once

#include <sys/types.h>

#include <functional>
#include <unordered_map>
#include <utility>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

namespace flotilla::supervisor {

class Reaper {
 public:
  using OnExit = std::function<void(int wait_status)>;

  explicit Reaper(asio::io_context& control);
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;

  // Must be called on the control thread right after fork, before control returns to the loop.
  void watch(pid_t pid, OnExit on_exit);
  void unwatch(pid_t pid) { watched_.erase(pid); }
  // Reaps whatever has exited now (also runs on each SIGCHLD).
  void reap_now();
  // Stops listening for SIGCHLD (the io_context can then run out of work).
  void close();
  // Drops every callback (they may own what owns the Reaper: the caller destroys them outside).
  std::unordered_map<pid_t, OnExit> release_all() { return std::exchange(watched_, {}); }

 private:
  void wait_for_signal();

  asio::signal_set signals_;
  std::unordered_map<pid_t, OnExit> watched_;
  bool closed_ = false;
};

}  // namespace flotilla::supervisor
