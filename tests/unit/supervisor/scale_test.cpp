// Scale and drain on real processes (see operations_fixture.hpp).
#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>

#include "operations_fixture.hpp"

namespace flotilla::supervisor::optest {
namespace {

using namespace std::chrono_literals;

TEST_F(OperationsTest, ScaleUpAndDownHighestIndexesFirst) {
  add_web(2, 6);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  min_web_ready_ = 1000;
  const OpResult<ScaleResult> up = supervisor_->scale("web", 4);
  ASSERT_TRUE(up.ok()) << up.error().message;
  EXPECT_EQ(up->previous, 2u);
  EXPECT_EQ(up->replicas, 4u);
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 4; }));
  min_web_ready_ = 1000;
  EXPECT_EQ(ready_["web"][3].key, "web/3");
  const std::set<pid_t> before = pids("web");
  const pid_t keep0 = instances("web")[0].pid;
  const pid_t keep1 = instances("web")[1].pid;

  const OpResult<ScaleResult> down = supervisor_->scale("web", 2);
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->previous, 4u);
  ASSERT_TRUE(run_until([&] { return instances("web").size() == 2; }));
  EXPECT_EQ(instances("web")[0].key, "web/0");
  EXPECT_EQ(instances("web")[0].pid, keep0);
  EXPECT_EQ(instances("web")[1].key, "web/1");
  EXPECT_EQ(instances("web")[1].pid, keep1);
  EXPECT_EQ(ready_count("web"), 2u);
  for (pid_t pid : before) {
    if (pid != keep0 && pid != keep1) {
      EXPECT_FALSE(process_exists(pid));
    }
  }
  EXPECT_GE(min_web_ready_, 2u);
  EXPECT_EQ(supervisor_->history("web")->revisions.size(), 1u);  // scaling is no revision
}

TEST_F(OperationsTest, ScaleWorkersAndErrors) {
  spec_.services.push_back(make_service("worker", "exec sleep 30", 1));
  add_web(1, 2);
  start();
  ASSERT_TRUE(supervisor_->scale("worker", 3).ok());
  ASSERT_TRUE(run_until([&] {
    const auto all = instances("worker");
    return all.size() == 3 && std::all_of(all.begin(), all.end(), [](const auto& s) {
             return s.state == InstanceState::running;
           });
  }));
  const std::set<pid_t> workers = pids("worker");
  ASSERT_TRUE(supervisor_->scale("worker", 0).ok());
  ASSERT_TRUE(run_until([&] { return instances("worker").empty(); }));
  for (pid_t pid : workers) EXPECT_FALSE(process_exists(pid));

  const auto unknown = supervisor_->scale("nope", 1);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, OpError::Kind::not_found);
  const auto too_many = supervisor_->scale("worker", 1001);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().kind, OpError::Kind::invalid);
  const auto no_ports = supervisor_->scale("web", 3);  // the range holds 2
  ASSERT_FALSE(no_ports.ok());
  EXPECT_NE(no_ports.error().message.find("hold 2"), std::string::npos) << no_ports.error().message;
}

TEST_F(OperationsTest, DrainedInstanceLeavesRotationStaysUpUntilTheNextScale) {
  add_web(2, 3);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  min_web_ready_ = 1000;
  const pid_t drained_pid = instances("web")[1].pid;
  const OpResult<DrainResult> drained = supervisor_->drain("web", 1);
  ASSERT_TRUE(drained.ok());
  EXPECT_EQ(drained->key, "web/1");
  EXPECT_TRUE(drained->was_ready);
  ASSERT_EQ(ready_count("web"), 1u);  // at once, synchronously
  EXPECT_EQ(ready_["web"][0].key, "web/0");
  run_until([] { return false; }, 500ms);  // readiness keeps passing: it must stay out
  EXPECT_EQ(ready_count("web"), 1u);
  const InstanceStatus status = instances("web")[1];
  EXPECT_EQ(status.state, InstanceState::drained);
  EXPECT_EQ(status.pid, drained_pid);
  EXPECT_TRUE(process_exists(drained_pid));
  EXPECT_FALSE(supervisor_->drain("web", 7).ok());

  ASSERT_TRUE(supervisor_->scale("web", 2).ok());  // replaces it
  ASSERT_TRUE(run_until([&] { return settled("web", 1, 2); }));
  EXPECT_FALSE(process_exists(drained_pid));
}

TEST_F(OperationsTest, UndrainPutsTheSameInstanceBackOnceReady) {
  add_web(2, 3);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  min_web_ready_ = 1000;
  const pid_t pid = instances("web")[1].pid;
  ASSERT_TRUE(supervisor_->drain("web", 1).ok());
  ASSERT_EQ(ready_count("web"), 1u);
  const OpResult<DrainResult> back = supervisor_->undrain("web", 1);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->key, "web/1");
  // Its readiness probe still passes: back in rotation at once, the same process.
  EXPECT_EQ(ready_count("web"), 2u);
  EXPECT_EQ(instances("web")[1].pid, pid);
  EXPECT_NE(instances("web")[1].state, InstanceState::drained);
  EXPECT_FALSE(supervisor_->undrain("web", 7).ok());
}

TEST_F(OperationsTest, StopKeepsTheCountAndStartBringsItBack) {
  add_web(2, 3);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  min_web_ready_ = 0;
  const auto stopped = supervisor_->stop_service("web");
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->replicas, 2u);
  EXPECT_TRUE(stopped->changed);
  ASSERT_TRUE(run_until([&] { return instances("web").empty(); }));
  const auto again = supervisor_->stop_service("web");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->replicas, 2u);  // still the count start brings back
  for (const ServiceStatus& s : supervisor_->service_status()) {
    if (s.name == "web") {
      EXPECT_EQ(s.stopped_from, std::optional<std::uint32_t>(2));
    }
  }
  const auto started = supervisor_->start_service("web");
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started->replicas, 2u);
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  EXPECT_FALSE(supervisor_->start_service("web")->changed);
  EXPECT_FALSE(supervisor_->stop_service("nope").ok());
}

TEST_F(OperationsTest, ScaleUpWhileAPortIsStillHeldByAStoppingInstance) {
  add_web(2, 2);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  ASSERT_TRUE(supervisor_->scale("web", 1).ok());
  // web/1 is stopping and holds the range's second port: the start has to wait for it.
  ASSERT_TRUE(supervisor_->scale("web", 2).ok());
  ASSERT_TRUE(run_until([&] { return settled("web", 1, 2); }));
}

}  // namespace
}  // namespace flotilla::supervisor::optest
