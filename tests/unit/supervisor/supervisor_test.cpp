// Real processes under a real Supervisor: restarts, back-off, probes, OOM, stop semantics.
// Every process here is a child of this test; each test stops what it started.
#include "supervisor/supervisor.hpp"

#include <csignal>

#include <fmt/format.h>

#include "supervisor_fixture.hpp"

namespace flotilla::supervisor {
namespace {

using namespace fixture;  // NOLINT: the fixture's helpers are these tests' vocabulary

class SupervisorTest : public SupervisorFixture {
 protected:
  config::Service& add_service(const std::string& name, const std::string& shell_command,
                               std::uint32_t replicas = 1) {
    spec_.services.push_back(make_service(name, shell_command, replicas));
    return spec_.services.back();
  }

  InstanceStatus instance(std::size_t i) const { return supervisor_->status().at(i); }
};

TEST_F(SupervisorTest, KilledInstanceIsRestartedAfterTheBackoff) {
  add_service("sleeper", "exec sleep 30", 2);
  start();
  ASSERT_TRUE(run_until([&] { return instance(0).pid > 0 && instance(1).pid > 0; }));
  const pid_t victim = instance(0).pid;
  const pid_t other = instance(1).pid;
  const Clock::time_point killed = Clock::now();
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  ASSERT_TRUE(run_until([&] { return instance(0).pid > 0 && instance(0).pid != victim; }));
  EXPECT_GE(Clock::now() - killed, 100ms);  // restart.delay
  const InstanceStatus restarted = instance(0);
  EXPECT_EQ(restarted.restarts, 1u);
  ASSERT_TRUE(restarted.last_exit);
  EXPECT_EQ(restarted.last_exit->signal, SIGKILL);
  EXPECT_FALSE(restarted.last_exit->oom);
  EXPECT_EQ(instance(1).pid, other);  // the sibling is untouched
  EXPECT_EQ(instance(1).restarts, 0u);
  EXPECT_FALSE(process_exists(victim));  // reaped, not a zombie
}

TEST_F(SupervisorTest, CrashLoopBacksOffAsConfigured) {
  add_service("crasher", "exit 3");
  start();
  // Delays 100, 200, 400, 400 ms: four restarts need ~1.1 s; far fewer than a tight loop.
  ASSERT_TRUE(run_until([&] { return instance(0).restarts >= 3; }, 3s));
  const Clock::time_point third = Clock::now();
  ASSERT_TRUE(run_until([&] { return instance(0).restarts >= 4; }, 3s));
  EXPECT_GE(Clock::now() - third, 350ms);  // capped at max_delay, not shorter
  const InstanceStatus status = instance(0);
  EXPECT_EQ(status.last_exit->code, 3);
  EXPECT_GE(status.consecutive_failures, 3u);
  ASSERT_TRUE(run_until([&] { return instance(0).state == InstanceState::crash_loop; }, 2s));
  EXPECT_GT(instance(0).next_restart_in.count() + 1, 0);
}

TEST_F(SupervisorTest, RestartPolicyNeverAndOnFailure) {
  add_service("once", "exit 4").restart.policy = config::RestartPolicy::never;
  add_service("clean", "exit 0").restart.policy = config::RestartPolicy::on_failure;
  add_service("missing", "exec /nonexistent/binary");
  start();
  ASSERT_TRUE(run_until([&] {
    return instance(0).state == InstanceState::exited &&
           instance(1).state == InstanceState::exited && instance(2).restarts >= 1;
  }));
  EXPECT_EQ(instance(0).last_exit->code, 4);
  EXPECT_EQ(instance(1).last_exit->code, 0);
  EXPECT_EQ(instance(0).restarts, 0u);
  EXPECT_EQ(instance(2).last_exit->code, 127);
}

TEST_F(SupervisorTest, LivenessFailureRestarts) {
  config::Service& service = add_service("zombie", "exec sleep 30");
  config::Probe liveness;
  liveness.kind = config::ProbeKind::exec;
  liveness.exec.argv = {"/bin/false"};
  liveness.period = 100ms;
  liveness.failure_threshold = 2;
  service.probes.liveness = liveness;
  start();
  ASSERT_TRUE(run_until([&] { return instance(0).pid > 0; }));
  const pid_t first = instance(0).pid;
  ASSERT_TRUE(run_until([&] { return instance(0).restarts >= 1 && instance(0).pid > 0; }));
  EXPECT_NE(instance(0).pid, first);
  EXPECT_EQ(instance(0).last_exit->signal, SIGTERM);  // stop.signal first
}

TEST_F(SupervisorTest, EnvironmentExpansionAndLogCapture) {
  const std::uint16_t port = free_port_range(2);
  ASSERT_NE(port, 0);
  config::Service& service = add_service(
      "env", "echo \"port=$PORT inst=$FLOTILLA_INSTANCE foo=$FOO arg=$1\" >&2; exec sleep 30");
  service.command.argv.push_back("x");
  service.command.argv.push_back("a$INSTANCE");
  service.env["FOO"] = "f-${PORT}";
  service.ports = config::PortRange{port, static_cast<std::uint16_t>(port + 1)};
  start();
  const fs::path log = spec_.state_dir / "logs" / "env-0.log";
  // flotilla's own line marking the run comes first, then what the app wrote.
  const auto second_line = [&] {
    const std::string text = slurp(log);
    const std::size_t first = text.find('\n');
    return first == std::string::npos ? std::string() : text.substr(first + 1);
  };
  ASSERT_TRUE(run_until([&] { return second_line().find('\n') != std::string::npos; }));
  const std::string text = slurp(log);
  // "<24-character time stamp> flotilla: run 1: started pid ..."
  EXPECT_EQ(text.substr(25, text.find('\n') - 25).rfind("flotilla: run 1: started pid ", 0), 0u)
      << text;
  const std::string line = second_line();
  // "<24-character time stamp> <what the app wrote>"
  ASSERT_GT(line.size(), 25u);
  EXPECT_EQ(line.substr(25), fmt::format("port={} inst=env/0 foo=f-{} arg=a0\n", port, port));
  EXPECT_EQ(instance(0).port, port);
  EXPECT_FALSE(instance(0).ready);  // nothing listens on the port: never routed
}

TEST_F(SupervisorTest, ReadinessMovesTrafficWithoutRestarts) {
  const std::uint16_t port = free_port_range(2);
  ASSERT_NE(port, 0);
  config::Service& service =
      add_service("web", "exec /usr/bin/python3 -m http.server $PORT --bind 127.0.0.1", 2);
  service.ports = config::PortRange{port, static_cast<std::uint16_t>(port + 1)};
  config::Probe readiness;
  readiness.kind = config::ProbeKind::exec;
  readiness.exec.argv = {"/bin/sh", "-c", "test ! -e " + (dir_ / "down-$INSTANCE").string()};
  readiness.period = 100ms;
  readiness.failure_threshold = 1;
  service.probes.readiness = readiness;
  start();
  ASSERT_TRUE(run_until([&] { return ready_["web"].size() == 2; }));
  EXPECT_EQ(ready_["web"][1].key, "web/1");
  EXPECT_EQ(ready_["web"][1].address, fmt::format("127.0.0.1:{}", port + 1));
  const pid_t pid = instance(1).pid;

  std::ofstream(dir_ / "down-1").put('x');
  ASSERT_TRUE(run_until([&] { return ready_["web"].size() == 1; }));
  EXPECT_EQ(ready_["web"][0].key, "web/0");
  EXPECT_EQ(instance(1).state, InstanceState::running);
  fs::remove(dir_ / "down-1");
  ASSERT_TRUE(run_until([&] { return ready_["web"].size() == 2; }));
  EXPECT_EQ(instance(1).pid, pid);
  EXPECT_EQ(instance(1).restarts, 0u);
}

TEST_F(SupervisorTest, LeavesRotationTheInstantItExits) {
  const std::uint16_t port = free_port_range(2);
  ASSERT_NE(port, 0);
  config::Service& service =
      add_service("web", "exec /usr/bin/python3 -m http.server $PORT --bind 127.0.0.1", 2);
  service.ports = config::PortRange{port, static_cast<std::uint16_t>(port + 1)};
  service.restart.delay = 2s;
  start();
  // No probes: ready once the port accepts connections (the implicit TCP check).
  ASSERT_TRUE(run_until([&] { return ready_["web"].size() == 2; }));
  ASSERT_EQ(::kill(instance(0).pid, SIGKILL), 0);
  const Clock::time_point killed = Clock::now();
  ASSERT_TRUE(run_until([&] { return ready_["web"].size() == 1; }));
  EXPECT_LT(Clock::now() - killed, 200ms);
  EXPECT_EQ(ready_["web"][0].key, "web/1");
}

TEST_F(SupervisorTest, MemoryLimitKillIsReportedAsOom) {
  config::Service& service = add_service(
      "hog",
      "exec /usr/bin/python3 -c 'import time; b = bytearray(256 * 1024 * 1024); time.sleep(5)'");
  service.resources.memory_bytes = 64 * 1024 * 1024;
  service.restart.policy = config::RestartPolicy::never;
  start();
  if (supervisor_->cgroup_controllers().find("memory") == std::string::npos) {
    GTEST_SKIP() << "no writable memory cgroup here; the limit is an RLIMIT_AS";
  }
  ASSERT_TRUE(run_until([&] { return instance(0).state == InstanceState::exited; }, 10s));
  const InstanceStatus status = instance(0);
  ASSERT_TRUE(status.last_exit);
  EXPECT_TRUE(status.last_exit->oom) << status.last_exit->describe();
  EXPECT_EQ(status.last_exit->signal, SIGKILL);
  EXPECT_EQ(status.memory_limit_bytes, 64u * 1024 * 1024);
}

TEST_F(SupervisorTest, StatusSamplesUsage) {
  add_service("busy", "exec sleep 30");
  start();
  ASSERT_TRUE(run_until([&] { return instance(0).pid > 0; }));
  ASSERT_TRUE(run_until(
      [&] { return instance(0).memory_bytes > 0 && instance(0).state == InstanceState::running; },
      2s));
  EXPECT_FALSE(instance(0).ready);  // a worker is never in rotation
  EXPECT_GE(instance(0).uptime.count(), 0);
}

TEST_F(SupervisorTest, StopAllLeavesNoGrandchildBehind) {
  add_service("parent", "sleep 100 & sleep 100");
  start();
  ASSERT_TRUE(run_until([&] { return instance(0).pid > 0; }));
  const pid_t group = instance(0).pid;
  ASSERT_TRUE(run_until([&] { return group_members(group).size() >= 3; }));  // sh + 2 sleeps
  const std::set<pid_t> members = group_members(group);
  const Clock::duration took = stop();
  EXPECT_LT(took, 2s);
  for (pid_t pid : members) EXPECT_FALSE(process_exists(pid)) << "pid " << pid << " survived";
  EXPECT_TRUE(group_members(group).empty());
  EXPECT_EQ(instance(0).state, InstanceState::stopped);
  supervisor_.reset();
}

TEST_F(SupervisorTest, ExitedMainProcessTakesItsGroupAlong) {
  config::Service& service = add_service("leaky", "sleep 100 & sleep 0.2; exit 1");
  service.restart.policy = config::RestartPolicy::never;
  start();
  ASSERT_TRUE(run_until([&] { return instance(0).pid > 0; }));
  const pid_t group = instance(0).pid;
  ASSERT_TRUE(run_until([&] { return instance(0).state == InstanceState::exited; }));
  ASSERT_TRUE(run_until([&] { return group_members(group).empty(); }, 2s));
}

TEST_F(SupervisorTest, InstanceIgnoringTermIsKilledAfterTheGrace) {
  config::Service& service = add_service("stubborn", "trap '' TERM; sleep 100");
  service.stop.grace = 300ms;
  start();
  ASSERT_TRUE(run_until([&] { return instance(0).pid > 0; }));
  const pid_t group = instance(0).pid;
  run_until([] { return false; }, 100ms);  // let the shell install its trap
  const Clock::duration took = stop();
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 2s);
  EXPECT_EQ(instance(0).last_exit->signal, SIGKILL);
  EXPECT_TRUE(group_members(group).empty());
  supervisor_.reset();
}

}  // namespace
}  // namespace flotilla::supervisor
