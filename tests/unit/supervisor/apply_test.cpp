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

TEST_F(OperationsTest, ApplyAddsAServiceWithPortsAndReaddsARemovedOne) {
  add_web(2, 2);
  start();
  ASSERT_TRUE(run_until([&] { return ready_count("web") == 2; }));
  const std::set<pid_t> first_pids = pids("web");

  config::Spec with_api = spec_;
  config::Service api = spec_.services[0];
  api.name = "api";
  const std::uint16_t api_port = free_port_range(4);
  api.ports = config::PortRange{api_port, static_cast<std::uint16_t>(api_port + 3)};
  api.replicas = 3;
  with_api.services.push_back(api);
  ASSERT_EQ(supervisor_->apply(with_api).size(), 1u);
  ASSERT_TRUE(run_until([&] { return ready_count("api") == 3; }));
  std::set<std::string> addresses;
  for (const InstanceEndpoint& e : ready_["api"]) addresses.insert(e.address);
  EXPECT_EQ(addresses.size(), 3u);  // each on its own port

  // Removed and added back at once: the new instances wait for the old ones' ports.
  config::Spec without_web = with_api;
  without_web.services.erase(without_web.services.begin());
  ASSERT_EQ(supervisor_->apply(without_web).size(), 1u);
  const std::vector<std::string> readded = supervisor_->apply(with_api);
  ASSERT_EQ(readded.size(), 1u);
  EXPECT_EQ(readded[0], "web: added (2 replica(s), revision 1)");  // its history is on disk
  ASSERT_TRUE(run_until([&] { return settled("web", 1, 2); }));
  for (pid_t pid : first_pids) EXPECT_FALSE(process_exists(pid));
  EXPECT_EQ(ready_count("web"), 2u);
}

}  // namespace
}  // namespace flotilla::supervisor::optest
