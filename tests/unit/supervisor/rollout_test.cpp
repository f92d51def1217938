// Rollouts, automatic rollback, rollback --to, restart and revisions surviving a restart of the
// supervisor, on real processes (see operations_fixture.hpp).
#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>

#include "operations_fixture.hpp"

namespace flotilla::supervisor::optest {
namespace {

using namespace std::chrono_literals;

TEST_F(OperationsTest, RolloutReplacesEveryInstanceWithTheNewRevision) {
  add_web(2, 4);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  min_web_ready_ = 1000;
  const std::set<pid_t> old_pids = pids("web");
  for (pid_t pid : old_pids) EXPECT_EQ(environment_of(pid, "FLOTILLA_REVISION"), "1");

  config::Service next = supervisor_->current_spec("web").value();
  next.env["COLOR"] = "blue";
  const OpResult<RolloutProgress> started = supervisor_->rollout("web", next);
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(started->revision, 2u);
  EXPECT_EQ(started->from_revision, 1u);
  EXPECT_EQ(started->state, RolloutState::running);
  const auto again = supervisor_->rollout("web", next);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, OpError::Kind::conflict);
  EXPECT_NE(again.error().message.find("rollout in progress"), std::string::npos);

  std::optional<RolloutProgress> waited;
  asio::co_spawn(io_, supervisor_->wait_for_rollout("web"),
                 [&](std::exception_ptr, std::optional<RolloutProgress> result) {
                   waited = std::move(result);
                 });
  ASSERT_TRUE(run_until([&] { return waited.has_value(); }, 30s));
  ASSERT_TRUE(rollout_done("web"));
  const RolloutProgress done = last_rollout("web");
  EXPECT_EQ(waited->state, RolloutState::succeeded);
  EXPECT_EQ(done.state, RolloutState::succeeded) << done.message;
  EXPECT_EQ(done.updated, 2u);
  EXPECT_EQ(done.ready, 2u);
  ASSERT_TRUE(settled("web", 2, 2));
  for (const InstanceStatus& s : instances("web")) {
    EXPECT_EQ(old_pids.count(s.pid), 0u);
    EXPECT_EQ(environment_of(s.pid, "FLOTILLA_REVISION"), "2");
    EXPECT_EQ(environment_of(s.pid, "COLOR"), "blue");
  }
  for (pid_t pid : old_pids) EXPECT_FALSE(process_exists(pid));
  EXPECT_GE(min_web_ready_, 2u);  // max_unavailable 0: never below full strength
  const History history = supervisor_->history("web").value();
  EXPECT_EQ(history.current, 2u);
  ASSERT_EQ(history.revisions.size(), 2u);
  EXPECT_EQ(history.revisions[0].cause, "rollout");
  EXPECT_EQ(history.revisions[1].cause, "initial");
  const std::vector<ServiceStatus> services = supervisor_->service_status();
  EXPECT_EQ(services[0].revision, 2u);
  EXPECT_EQ(services[0].ready, 2u);

  // The same template with another count is a scale, not a revision.
  next.replicas = 3;
  const OpResult<RolloutProgress> scaled = supervisor_->rollout("web", next);
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ(scaled->state, RolloutState::succeeded);
  EXPECT_EQ(scaled->revision, 2u);
  EXPECT_EQ(scaled->phase, "no new revision: scaled 2 → 3");
  ASSERT_TRUE(run_until([&] { return settled("web", 2, 3); }));
  EXPECT_EQ(supervisor_->history("web")->revisions.size(), 2u);
}

TEST_F(OperationsTest, NeverReadyRolloutRollsBackAndLeavesTheOldInstancesAlone) {
  add_web(2, 4);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  min_web_ready_ = 1000;
  const std::set<pid_t> old_pids = pids("web");

  config::Service broken = supervisor_->current_spec("web").value();
  broken.command.argv = {"/bin/sh", "-c", "exec sleep 30"};  // never listens
  broken.rollout.progress_deadline = 2s;
  ASSERT_TRUE(supervisor_->rollout("web", broken).ok());
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 20s));
  const RolloutProgress done = last_rollout("web");
  EXPECT_EQ(done.state, RolloutState::rolled_back);
  EXPECT_NE(done.message.find("of revision 2 not ready after 2s"), std::string::npos)
      << done.message;
  EXPECT_NE(done.message.find("does not accept connections"), std::string::npos) << done.message;
  ASSERT_TRUE(run_until([&] { return settled("web", 1, 2); }));
  EXPECT_EQ(pids("web"), old_pids);
  EXPECT_GE(min_web_ready_, 2u);
  const History history = supervisor_->history("web").value();
  EXPECT_EQ(history.current, 1u);
  EXPECT_EQ(history.revisions[0].number, 2u);
  EXPECT_EQ(history.revisions[0].outcome.rfind("rolled back: ", 0), 0u);
  EXPECT_EQ(supervisor_->service_status()[0].revision, 1u);
}

TEST_F(OperationsTest, CrashingRolloutRollsBackAtOnce) {
  add_web(2, 4);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  min_web_ready_ = 1000;
  const std::set<pid_t> old_pids = pids("web");
  config::Service broken = supervisor_->current_spec("web").value();
  broken.command.argv = {"/bin/sh", "-c", "echo boom; exit 3"};
  broken.rollout.progress_deadline = 60s;
  ASSERT_TRUE(supervisor_->rollout("web", broken).ok());
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 20s));
  const RolloutProgress done = last_rollout("web");
  EXPECT_EQ(done.state, RolloutState::rolled_back);
  EXPECT_NE(done.message.find("exited before becoming ready: exit code 3"), std::string::npos)
      << done.message;
  ASSERT_TRUE(run_until([&] { return settled("web", 1, 2); }));
  EXPECT_EQ(pids("web"), old_pids);
  EXPECT_GE(min_web_ready_, 2u);
}

TEST_F(OperationsTest, RollbackToAnEarlierRevisionAndRollingRestart) {
  config::Service& web = add_web(1, 3);
  web.env["COLOR"] = "red";
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 1; }));
  min_web_ready_ = 1000;
  for (const char* color : {"green", "blue"}) {
    config::Service next = supervisor_->current_spec("web").value();
    next.env["COLOR"] = color;
    ASSERT_TRUE(supervisor_->rollout("web", next).ok());
    ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
    ASSERT_EQ(last_rollout("web").state, RolloutState::succeeded);
  }
  const auto missing = supervisor_->rollback("web", 9);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, OpError::Kind::not_found);
  ASSERT_FALSE(supervisor_->rollback("web", 3).ok());  // already current

  const OpResult<RolloutProgress> back = supervisor_->rollback("web", 1);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->revision, 4u);
  EXPECT_EQ(back->cause, "rollback to 1");
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  ASSERT_TRUE(settled("web", 4, 1));
  EXPECT_EQ(environment_of(instances("web")[0].pid, "COLOR"), "red");

  const OpResult<RolloutProgress> undo = supervisor_->rollback("web");  // to the previous: 3
  ASSERT_TRUE(undo.ok());
  EXPECT_EQ(undo->cause, "rollback to 3");
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  ASSERT_TRUE(settled("web", 5, 1));
  EXPECT_EQ(environment_of(instances("web")[0].pid, "COLOR"), "blue");

  const pid_t before = instances("web")[0].pid;
  const OpResult<RolloutProgress> restarted = supervisor_->restart("web");
  ASSERT_TRUE(restarted.ok());
  EXPECT_EQ(restarted->revision, 6u);
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  ASSERT_TRUE(settled("web", 6, 1));
  EXPECT_NE(instances("web")[0].pid, before);
  EXPECT_EQ(environment_of(instances("web")[0].pid, "COLOR"), "blue");
  EXPECT_EQ(supervisor_->history("web")->revisions[0].cause, "restart");
  EXPECT_GE(min_web_ready_, 1u);  // a single replica, and still never without an endpoint
}

// A rollout that changes nothing (or only the count) is still the service's latest rollout, and
// a rollback without a target skips revisions that would run what already runs.
TEST_F(OperationsTest, NoChangeRolloutIsTheLatestAndRollbackSkipsIdenticalRevisions) {
  config::Service& web = add_web(1, 4);
  web.env["COLOR"] = "red";
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 1; }));
  ASSERT_FALSE(supervisor_->rollout_status("web").value().has_value());

  config::Service more = supervisor_->current_spec("web").value();
  more.replicas = 2;
  ASSERT_TRUE(supervisor_->rollout("web", more).ok());
  std::optional<RolloutProgress> latest = supervisor_->rollout_status("web").value();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->state, RolloutState::succeeded);
  EXPECT_EQ(latest->revision, 1u);
  EXPECT_EQ(latest->phase, "no new revision: scaled 1 → 2");
  ASSERT_TRUE(run_until([&] { return settled("web", 1, 2); }, 30s));

  config::Service broken = supervisor_->current_spec("web").value();
  broken.command.argv = {"/bin/sh", "-c", "exit 3"};
  ASSERT_TRUE(supervisor_->rollout("web", broken).ok());
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  ASSERT_EQ(last_rollout("web").state, RolloutState::rolled_back);
  // The same spec again: the answer about it replaces the failed one.
  ASSERT_TRUE(supervisor_->rollout("web", supervisor_->current_spec("web").value()).ok());
  latest = supervisor_->rollout_status("web").value();
  EXPECT_EQ(latest->state, RolloutState::succeeded);
  EXPECT_EQ(latest->revision, 1u);
  EXPECT_EQ(latest->from_revision, 1u);
  EXPECT_EQ(latest->phase, "no change");
  EXPECT_EQ(latest->message, "");

  config::Service blue = supervisor_->current_spec("web").value();
  blue.env["COLOR"] = "blue";
  ASSERT_TRUE(supervisor_->rollout("web", blue).ok());  // 3
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  ASSERT_TRUE(supervisor_->restart("web").ok());  // 4, the same spec as 3
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  ASSERT_TRUE(settled("web", 4, 2));
  // 3 runs what 4 runs and 2 rolled back: the step back is to 1.
  const OpResult<RolloutProgress> undo = supervisor_->rollback("web");
  ASSERT_TRUE(undo.ok()) << undo.error().message;
  EXPECT_EQ(undo->cause, "rollback to 1");
  EXPECT_EQ(undo->revision, 5u);
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  ASSERT_TRUE(settled("web", 5, 2));
  for (const InstanceStatus& s : instances("web")) {
    EXPECT_EQ(environment_of(s.pid, "COLOR"), "red");
  }
}

// `flotilla rollback` during a rollout that would otherwise wait out its progress deadline: the
// rollout ends at once, rolled back with the reason "rollback requested".
TEST_F(OperationsTest, RollbackDuringARolloutEndsItAndRollsBack) {
  add_web(2, 4);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  min_web_ready_ = 1000;
  const std::set<pid_t> old_pids = pids("web");
  config::Service stuck = supervisor_->current_spec("web").value();
  stuck.command.argv = {"/bin/sh", "-c", "exec sleep 60"};  // never listens
  stuck.rollout.progress_deadline = 120s;
  ASSERT_TRUE(supervisor_->rollout("web", stuck).ok());
  ASSERT_TRUE(run_until([&] { return instances("web").size() > 2; }, 10s));

  const auto elsewhere = supervisor_->rollback("web", 2);  // not where it came from: refused
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().kind, OpError::Kind::conflict);
  const OpResult<RolloutProgress> undo = supervisor_->rollback("web");
  ASSERT_TRUE(undo.ok()) << undo.error().message;
  EXPECT_EQ(undo->revision, 2u);
  EXPECT_EQ(undo->from_revision, 1u);
  EXPECT_TRUE(undo->rollback_requested);
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  const RolloutProgress done = last_rollout("web");
  EXPECT_EQ(done.state, RolloutState::rolled_back);
  EXPECT_EQ(done.message, "rollback requested");
  ASSERT_TRUE(run_until([&] { return settled("web", 1, 2); }, 30s));
  EXPECT_EQ(pids("web"), old_pids);
  EXPECT_GE(min_web_ready_, 2u);
  const History history = supervisor_->history("web").value();
  EXPECT_EQ(history.current, 1u);
  EXPECT_EQ(history.revisions[0].outcome, "rolled back: rollback requested");
}

TEST_F(OperationsTest, RevisionsSurviveARestartOfTheSupervisor) {
  add_web(1, 2);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 1; }));
  min_web_ready_ = 1000;
  config::Service next = supervisor_->current_spec("web").value();
  next.env["COLOR"] = "blue";
  ASSERT_TRUE(supervisor_->rollout("web", next).ok());
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  stop();
  supervisor_.reset();
  EXPECT_TRUE(fs::exists(spec_.state_dir / "revisions" / "web.json"));

  // The config still says revision 1's spec, which is not what ran last: a new revision.
  start();
  History history = supervisor_->history("web").value();
  EXPECT_EQ(history.current, 3u);
  ASSERT_EQ(history.revisions.size(), 3u);
  EXPECT_EQ(history.revisions[0].cause, "config changed");
  EXPECT_EQ(history.revisions[1].spec.env.at("COLOR"), "blue");
  ASSERT_TRUE(run_until([&] { return settled("web", 3, 1); }));
  stop();
  supervisor_.reset();

  // Unchanged config: the number stays.
  start();
  history = supervisor_->history("web").value();
  EXPECT_EQ(history.current, 3u);
  EXPECT_EQ(history.revisions.size(), 3u);
  ASSERT_TRUE(run_until([&] { return settled("web", 3, 1); }));
  EXPECT_EQ(environment_of(instances("web")[0].pid, "FLOTILLA_REVISION"), "3");
}

TEST_F(OperationsTest, WorkersRollOutOnceStarted) {
  spec_.services.push_back(make_service("worker", "exec sleep 30", 2));
  start();
  ASSERT_TRUE(run_until([&] { return pids("worker").size() == 2 && !pids("worker").count(0); }));
  const std::set<pid_t> old_pids = pids("worker");
  config::Service next = supervisor_->current_spec("worker").value();
  next.env["QUEUE"] = "fast";
  ASSERT_TRUE(supervisor_->rollout("worker", next).ok());
  ASSERT_TRUE(run_until([&] { return rollout_done("worker"); }, 30s));
  EXPECT_EQ(last_rollout("worker").state, RolloutState::succeeded)
      << last_rollout("worker").message;
  ASSERT_TRUE(run_until([&] { return instances("worker").size() == 2; }));
  for (const InstanceStatus& s : instances("worker")) {
    EXPECT_EQ(s.revision, 2u);
    EXPECT_EQ(old_pids.count(s.pid), 0u);
    EXPECT_EQ(environment_of(s.pid, "QUEUE"), "fast");
  }
  for (pid_t pid : old_pids) EXPECT_FALSE(process_exists(pid));
  EXPECT_TRUE(ready_.empty());  // workers are never published
}

TEST_F(OperationsTest, StopAllEndsARunningRollout) {
  add_web(1, 2);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 1; }));
  config::Service broken = supervisor_->current_spec("web").value();
  broken.command.argv = {"/bin/sh", "-c", "exec sleep 30"};
  broken.rollout.progress_deadline = 60s;
  ASSERT_TRUE(supervisor_->rollout("web", broken).ok());
  ASSERT_TRUE(run_until([&] { return instances("web").size() == 2; }));
  const std::set<pid_t> all = pids("web");
  stop();
  EXPECT_EQ(last_rollout("web").state, RolloutState::failed);
  EXPECT_EQ(last_rollout("web").message, "flotilla is shutting down");
  for (pid_t pid : all) EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(supervisor_->scale("web", 2).ok());  // nothing starts after stop_all
}

TEST_F(OperationsTest, DestroyedMidRolloutKillsEverything) {
  add_web(1, 2);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 1; }));
  config::Service broken = supervisor_->current_spec("web").value();
  broken.command.argv = {"/bin/sh", "-c", "exec sleep 30"};
  ASSERT_TRUE(supervisor_->rollout("web", broken).ok());
  ASSERT_TRUE(run_until([&] { return instances("web").size() == 2; }));
  const std::set<pid_t> all = pids("web");
  supervisor_.reset();  // no stop_all: SIGKILL, and the suspended rollout must not touch it
  run_until([] { return false; }, 300ms);
  for (pid_t pid : all) {
    ASSERT_TRUE(run_until([&] { return !process_running(pid); }, 2s)) << pid;
  }
}

TEST_F(OperationsTest, FailingReadinessProbeIsTheRollbackReason) {
  add_web(1, 2);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 1; }));
  const pid_t old_pid = instances("web")[0].pid;
  min_web_ready_ = 1000;
  config::Service next = supervisor_->current_spec("web").value();
  config::Probe readiness;
  readiness.http_path = "/no-such-page";  // http.server answers 404
  readiness.period = 100ms;
  readiness.failure_threshold = 1;
  next.probes.readiness = readiness;
  next.rollout.progress_deadline = 1500ms;
  ASSERT_TRUE(supervisor_->rollout("web", next).ok());
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 20s));
  const RolloutProgress done = last_rollout("web");
  EXPECT_EQ(done.state, RolloutState::rolled_back);
  EXPECT_NE(done.message.find("web/1 of revision 2 not ready after 1500ms: readiness probe failed"),
            std::string::npos)
      << done.message;
  EXPECT_NE(done.message.find("404"), std::string::npos) << done.message;
  ASSERT_TRUE(run_until([&] { return settled("web", 1, 1); }));
  EXPECT_EQ(instances("web")[0].pid, old_pid);
  EXPECT_GE(min_web_ready_, 1u);
}

TEST_F(OperationsTest, WithoutASparePortInstancesAreReplacedOneAtATime) {
  add_web(2, 2);  // no room for a surge instance: max_unavailable becomes 1
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  min_web_ready_ = 1000;
  ASSERT_TRUE(supervisor_->restart("web").ok());
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  EXPECT_EQ(last_rollout("web").state, RolloutState::succeeded) << last_rollout("web").message;
  ASSERT_TRUE(settled("web", 2, 2));
  EXPECT_EQ(min_web_ready_, 1u);  // one down at a time, never none
}

}  // namespace
}  // namespace flotilla::supervisor::optest
