// SIGCHLD-driven reaping of every descendant (see reaper.hpp).
#include "supervisor/reaper.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>

#include <spdlog/spdlog.h>

namespace flotilla::supervisor {

Reaper::Reaper(asio::io_context& control) : signals_(control, SIGCHLD) {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    spdlog::warn(
        "supervisor: PR_SET_CHILD_SUBREAPER failed ({}); orphaned grandchildren go to PID 1",
        std::strerror(errno));
  }
  wait_for_signal();
}

void Reaper::watch(pid_t pid, OnExit on_exit) {
  watched_[pid] = std::move(on_exit);
}

void Reaper::close() {
  closed_ = true;
  std::error_code ignored;
  signals_.cancel(ignored);
}

void Reaper::wait_for_signal() {
  signals_.async_wait([this](std::error_code ec, int) {
    if (ec || closed_) return;
    reap_now();
    wait_for_signal();
  });
}

void Reaper::reap_now() {
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;  // nothing more exited now, or no children at all
    auto found = watched_.find(pid);
    if (found == watched_.end()) {
      spdlog::debug("supervisor: reaped orphan pid {} (status {:#x})", pid, status);
      continue;
    }
    OnExit on_exit = std::move(found->second);
    watched_.erase(found);
    on_exit(status);
  }
}

}  // namespace flotilla::supervisor
