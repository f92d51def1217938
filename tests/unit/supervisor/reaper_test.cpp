// The Reaper with real children: exits learned through a pidfd (with SIGCHLD blocked, so the
// signal path cannot be the one reporting), the SIGCHLD fallback, orphans re-parented to the
// subreaper, and a Reaper destroyed with waits pending.
#include "supervisor/reaper.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

using namespace std::chrono_literals;

// Blocks SIGCHLD on this (the only) thread for its lifetime: asio's signal_set then never sees
// it, so only a pidfd can report an exit.
class SigchldBlocked {
 public:
  SigchldBlocked() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &set, &old_);
  }
  ~SigchldBlocked() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_{};
};

// A child that sleeps `delay` then exits with `code`.
pid_t fork_exiting(std::chrono::milliseconds delay, int code) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::usleep(static_cast<useconds_t>(delay.count() * 1000));
    ::_exit(code);
  }
  return pid;
}

// Runs `io` until `done()` or 5 s.
template <typename Done>
void run_until(asio::io_context& io, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(20ms);
    io.restart();
  }
}

char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '\0' : stat[close + 2];
}

TEST(ReaperTest, PidfdOpensOnThisKernel) {
  const pid_t child = fork_exiting(0ms, 0);
  ASSERT_GT(child, 0);
  const int fd = open_pidfd(child);
  EXPECT_GE(fd, 0) << "pidfd_open: " << std::strerror(errno) << " (Linux >= 5.3 needed)";
  if (fd >= 0) ::close(fd);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
}

TEST(ReaperTest, ReportsAnExitThroughThePidfdAlone) {
  SigchldBlocked blocked;
  asio::io_context io;
  Reaper reaper(io);
  ASSERT_TRUE(reaper.pidfd_enabled());
  const pid_t child = fork_exiting(100ms, 7);
  ASSERT_GT(child, 0);
  std::optional<int> status;
  reaper.watch(child, [&status](int s) { status = s; });
  run_until(io, [&] { return status.has_value(); });
  ASSERT_TRUE(status.has_value()) << "no exit reported with SIGCHLD blocked";
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 7);
  EXPECT_EQ(reaper.exits_seen_by_pidfd(), 1u);
  EXPECT_EQ(process_state(child), '\0') << "the child was not reaped";
}

TEST(ReaperTest, AChildThatExitedBeforeWatchIsStillReported) {
  SigchldBlocked blocked;
  asio::io_context io;
  Reaper reaper(io);
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  // Let it become a zombie before the pidfd exists: the descriptor is readable at once.
  for (int i = 0; i < 200 && process_state(child) != 'Z'; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(process_state(child), 'Z');
  std::optional<int> status;
  reaper.watch(child, [&status](int s) { status = s; });
  run_until(io, [&] { return status.has_value(); });
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_EQ(reaper.exits_seen_by_pidfd(), 1u);
}

TEST(ReaperTest, KilledChildReportsItsSignal) {
  SigchldBlocked blocked;
  asio::io_context io;
  Reaper reaper(io);
  const pid_t child = fork_exiting(10s, 0);
  ASSERT_GT(child, 0);
  std::optional<int> status;
  reaper.watch(child, [&status](int s) { status = s; });
  ::kill(child, SIGKILL);
  run_until(io, [&] { return status.has_value(); });
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGKILL);
}

TEST(ReaperTest, SigchldFallbackWithoutPidfd) {
  asio::io_context io;
  Reaper reaper(io, /*use_pidfd=*/false);
  const pid_t child = fork_exiting(50ms, 3);
  ASSERT_GT(child, 0);
  std::optional<int> status;
  reaper.watch(child, [&status](int s) { status = s; });
  run_until(io, [&] { return status.has_value(); });
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 3);
  EXPECT_EQ(reaper.exits_seen_by_pidfd(), 0u);
}

TEST(ReaperTest, ReapsOrphanedGrandchildrenAsSubreaper) {
  asio::io_context io;
  Reaper reaper(io);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    const pid_t grandchild = fork_exiting(200ms, 0);
    [[maybe_unused]] ssize_t n = ::write(pipe_fds[1], &grandchild, sizeof grandchild);
    ::_exit(0);  // the grandchild is orphaned and re-parented to this process (subreaper)
  }
  ::close(pipe_fds[1]);
  pid_t grandchild = 0;
  ASSERT_EQ(::read(pipe_fds[0], &grandchild, sizeof grandchild),
            static_cast<ssize_t>(sizeof grandchild));
  ::close(pipe_fds[0]);
  std::optional<int> status;
  reaper.watch(child, [&status](int s) { status = s; });
  run_until(io, [&] { return status.has_value() && process_state(grandchild) == '\0'; });
  EXPECT_TRUE(status.has_value());
  EXPECT_EQ(process_state(grandchild), '\0') << "orphan " << grandchild << " not reaped";
}

TEST(ReaperTest, KillOrphansKillsADaemonizedGrandchildButNotWatchedChildren) {
  asio::io_context io;
  Reaper reaper(io);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    const pid_t grandchild = ::fork();
    if (grandchild == 0) {
      ::setsid();  // its own session and group: a group kill of `child` would miss it
      ::usleep(10'000'000);
      ::_exit(0);
    }
    [[maybe_unused]] ssize_t n = ::write(pipe_fds[1], &grandchild, sizeof grandchild);
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  pid_t grandchild = 0;
  ASSERT_EQ(::read(pipe_fds[0], &grandchild, sizeof grandchild),
            static_cast<ssize_t>(sizeof grandchild));
  ::close(pipe_fds[0]);
  const pid_t watched = fork_exiting(10s, 0);
  bool watched_exited = false;
  reaper.watch(watched, [&watched_exited](int) { watched_exited = true; });
  std::optional<int> status;
  reaper.watch(child, [&status](int s) { status = s; });
  run_until(io, [&] { return status.has_value(); });
  ASSERT_TRUE(status.has_value());
  ASSERT_NE(process_state(grandchild), '\0') << "the grandchild should still be running";

  EXPECT_EQ(reaper.kill_orphans(), 1u);
  EXPECT_EQ(process_state(grandchild), '\0') << "orphan " << grandchild << " survived";
  EXPECT_NE(process_state(watched), '\0') << "a watched child was killed";
  ::kill(watched, SIGKILL);
  run_until(io, [&] { return watched_exited; });
  EXPECT_TRUE(watched_exited);
}

TEST(ReaperTest, DestroyedWithPendingWaitsDoesNotCallBack) {
  asio::io_context io;
  const pid_t child = fork_exiting(10s, 0);
  ASSERT_GT(child, 0);
  bool called = false;
  {
    Reaper reaper(io);
    reaper.watch(child, [&called](int) { called = true; });
    io.run_for(10ms);
    io.restart();
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  io.run_for(50ms);  // the aborted pidfd wait completes here and must not touch the Reaper
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace flotilla::supervisor
