// Who ended a run: flotilla (stop, probe kill), someone outside (a signal sent), or the process
// itself (any exit, a fault signal, the OOM killer) — the query-of-death rule's input.
#include "supervisor/exit_cause.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace flotilla::supervisor {
namespace {

ExitInfo exited(int code) {
  return ExitInfo{code, 0, false};
}
ExitInfo signalled(int signal, bool oom = false) {
  return ExitInfo{-1, signal, oom};
}

TEST(ExitCause, ByItself) {
  EXPECT_EQ(classify_exit(exited(3), false, false), ExitCause::crashed);
  EXPECT_EQ(classify_exit(exited(0), false, false), ExitCause::crashed);
  for (int signal : {SIGSEGV, SIGABRT, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGTRAP}) {
    EXPECT_EQ(classify_exit(signalled(signal), false, false), ExitCause::crashed) << signal;
  }
  EXPECT_EQ(classify_exit(signalled(SIGKILL, true), false, false), ExitCause::crashed);
}

TEST(ExitCause, FromOutside) {
  for (int signal : {SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1}) {
    EXPECT_EQ(classify_exit(signalled(signal), false, false), ExitCause::killed) << signal;
  }
}

TEST(ExitCause, ByFlotilla) {
  EXPECT_EQ(classify_exit(exited(0), true, false), ExitCause::stopped);
  EXPECT_EQ(classify_exit(signalled(SIGSEGV), true, false), ExitCause::stopped);
  EXPECT_EQ(classify_exit(signalled(SIGKILL), false, true), ExitCause::stopped);
  EXPECT_EQ(classify_exit(signalled(SIGKILL, true), true, false), ExitCause::stopped);
}

TEST(ExitCause, Names) {
  EXPECT_EQ(to_string(ExitCause::crashed), "crashed");
  EXPECT_EQ(to_string(ExitCause::killed), "killed");
  EXPECT_EQ(to_string(ExitCause::stopped), "stopped");
  EXPECT_TRUE(is_fault_signal(SIGSEGV));
  EXPECT_FALSE(is_fault_signal(SIGKILL));
}

}  // namespace
}  // namespace flotilla::supervisor
