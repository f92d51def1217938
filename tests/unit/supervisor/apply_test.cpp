// Reload (Supervisor::apply) on real processes (see operations_fixture.hpp).
#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>

#include "operations_fixture.hpp"

namespace flotilla::supervisor::optest {
namespace {

using namespace std::chrono_literals;

TEST_F(OperationsTest, ApplyStartsStopsScalesAndRollsOut) {
  add_web(1, 3);
  spec_.services.push_back(make_service("old-worker", "exec sleep 30", 1));
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 1 && !pids("old-worker").empty(); }));
  min_web_ready_ = 1000;
  const pid_t old_worker = *pids("old-worker").begin();

  config::Spec next = spec_;
  next.services[0].replicas = 2;
  next.services[1] = make_service("new-worker", "exec sleep 30", 2);
  std::vector<std::string> changes = supervisor_->apply(next);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0], "old-worker: removed (stopping 1 instance(s))");
  EXPECT_EQ(changes[1], "web: scaled 1 → 2");
  EXPECT_EQ(changes[2], "new-worker: added (2 replica(s), revision 1)");
  ASSERT_TRUE(run_until([&] {
    return ready_count("web") == 2 && instances("new-worker").size() == 2 &&
           !process_exists(old_worker);
  }));
  EXPECT_TRUE(supervisor_->apply(next).empty());  // nothing changed

  config::Spec changed = next;
  changed.services[0].env["COLOR"] = "blue";
  changes = supervisor_->apply(changed);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], "web: rollout to revision 2 (reload)");
  ASSERT_TRUE(run_until([&] { return rollout_done("web"); }, 30s));
  EXPECT_EQ(last_rollout("web").state, RolloutState::succeeded);
  EXPECT_EQ(last_rollout("web").cause, "reload");
  ASSERT_TRUE(settled("web", 2, 2));
  EXPECT_GE(min_web_ready_, 1u);
}

TEST_F(OperationsTest, ReloadDuringARolloutIsQueued) {
  add_web(1, 3);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 1; }));
  config::Spec first = spec_;
  first.services[0].env["COLOR"] = "green";
  ASSERT_EQ(supervisor_->apply(first).size(), 1u);
  config::Spec second = spec_;
  second.services[0].env["COLOR"] = "blue";
  const std::vector<std::string> queued = supervisor_->apply(second);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_NE(queued[0].find("applied when the running rollout of revision 2 ends"),
            std::string::npos)
      << queued[0];
  ASSERT_TRUE(run_until([&] { return settled("web", 3, 1) && rollout_done("web"); }, 30s));
  EXPECT_EQ(environment_of(instances("web")[0].pid, "COLOR"), "blue");
  EXPECT_EQ(supervisor_->history("web")->revisions.size(), 3u);
}

}  // namespace
}  // namespace flotilla::supervisor::optest
