#include "supervisor/spawn.hpp"

#include <sys/wait.h>

#include <gtest/gtest.h>

namespace flotilla::supervisor {
namespace {

// The child of a failed start exits 127: reap it so the test leaves no zombie.
void reap(pid_t pid) {
  if (pid > 0) ::waitpid(pid, nullptr, 0);
}

TEST(SpawnProcess, ChdirFailureNamesTheDirectory) {
  SpawnRequest request;
  request.argv = {"/bin/echo", "hi"};
  request.cwd = "/nonexistent/flotilla-test-dir";
  const SpawnResult result = spawn_process(request);
  reap(result.pid);
  EXPECT_EQ(result.error, "chdir /nonexistent/flotilla-test-dir: No such file or directory");
}

TEST(SpawnProcess, ExecFailureNamesTheProgram) {
  SpawnRequest request;
  request.argv = {"/nonexistent/program"};
  const SpawnResult result = spawn_process(request);
  reap(result.pid);
  EXPECT_EQ(result.error, "exec /nonexistent/program: No such file or directory");
}

TEST(SpawnProcess, StartsAndRunsInItsOwnGroup) {
  SpawnRequest request;
  request.argv = {"/bin/true"};
  request.cwd = "/";
  const SpawnResult result = spawn_process(request);
  ASSERT_GT(result.pid, 0) << result.error;
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(::getpgid(result.pid), result.pid);  // a zombie until reaped: still answers
  int status = 0;
  ASSERT_EQ(::waitpid(result.pid, &status, 0), result.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace flotilla::supervisor
