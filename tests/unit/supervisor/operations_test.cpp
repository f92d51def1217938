// The supervisor's operations on real processes: scale, rollout (success and automatic
// rollback), rollback --to, restart, drain, apply, and revisions surviving a restart of the
// supervisor. Instances are python3 http.server processes (ready when the port accepts) or
// sleeps; each test stops what it started.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>

#include "supervisor/supervisor.hpp"

namespace flotilla::supervisor {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// `count` consecutive free loopback ports (checked by binding them).
std::uint16_t free_port_range(std::uint16_t count) {
  for (std::uint16_t base = 22000 + static_cast<std::uint16_t>(::getpid() % 4000 * 2); base < 32000;
       base += 11) {
    bool free = true;
    for (std::uint16_t port = base; free && port < base + count; ++port) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      ::close(fd);
    }
    if (free) return base;
  }
  return 0;
}

bool process_exists(pid_t pid) {
  // A zombie still has /proc/PID; the reaper reaps promptly, so "exists" means really running.
  return fs::exists("/proc/" + std::to_string(pid));
}

// Running, not a zombie left for a reaper that is gone.
bool process_running(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// The value of `name` in the process's environment, "" if absent.
std::string environment_of(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ");
  std::string entry;
  while (std::getline(in, entry, '\0')) {
    if (entry.rfind(name + "=", 0) == 0) return entry.substr(name.size() + 1);
  }
  return {};
}

class OperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("flotilla-operations-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    spec_.state_dir = dir_ / "state";
  }

  void TearDown() override {
    if (supervisor_) stop();
    supervisor_.reset();
    io_.restart();
    io_.run_for(50ms);
    fs::remove_all(dir_);
  }

  config::Service make_service(const std::string& name, const std::string& shell_command,
                               std::uint32_t replicas) {
    config::Service service;
    service.name = name;
    service.command.argv = {"/bin/sh", "-c", shell_command};
    service.command.text = shell_command;
    service.command.shell = true;
    service.cwd = dir_;
    service.replicas = replicas;
    service.restart.delay = 100ms;
    service.restart.max_delay = 400ms;
    service.stop.grace = 2s;
    service.rollout.progress_deadline = 10s;
    return service;
  }

  // An HTTP service on a range of `ports` ports: ready once python's http.server listens.
  config::Service& add_web(std::uint32_t replicas, std::uint16_t ports) {
    const std::uint16_t first = free_port_range(ports);
    EXPECT_NE(first, 0);
    config::Service service = make_service(
        "web", "exec /usr/bin/python3 -m http.server $PORT --bind 127.0.0.1", replicas);
    service.ports = config::PortRange{first, static_cast<std::uint16_t>(first + ports - 1)};
    spec_.services.push_back(service);
    return spec_.services.back();
  }

  void start() {
    supervisor_ = std::make_unique<Supervisor>(
        io_, spec_,
        [this](const std::string& service, std::vector<InstanceEndpoint> ready) {
          if (service == "web") min_web_ready_ = std::min(min_web_ready_, ready.size());
          ready_[service] = std::move(ready);
        },
        SupervisorOptions{config::Duration{0}, {}});
    supervisor_->start();
  }

  template <typename Predicate>
  bool run_until(Predicate done, Clock::duration timeout = 10s) {
    const Clock::time_point deadline = Clock::now() + timeout;
    while (!done() && Clock::now() < deadline) {
      io_.restart();
      io_.run_for(10ms);
    }
    return done();
  }

  void stop() {
    bool stopped = false;
    asio::co_spawn(io_, supervisor_->stop_all(), [&](std::exception_ptr) { stopped = true; });
    EXPECT_TRUE(run_until([&] { return stopped; }, 15s));
  }

  std::vector<InstanceStatus> instances(const std::string& service) const {
    std::vector<InstanceStatus> out;
    for (const InstanceStatus& s : supervisor_->status()) {
      if (s.service == service) out.push_back(s);
    }
    return out;
  }

  std::set<pid_t> pids(const std::string& service) const {
    std::set<pid_t> out;
    for (const InstanceStatus& s : instances(service)) out.insert(s.pid);
    return out;
  }

  std::size_t ready_count(const std::string& service) { return ready_[service].size(); }

  bool rollout_done(const std::string& service) const {
    const auto progress = supervisor_->rollout_status(service);
    return progress.ok() && progress.value() && progress.value()->state != RolloutState::running;
  }

  RolloutProgress last_rollout(const std::string& service) const {
    return *supervisor_->rollout_status(service).value();
  }

  // Every instance ready and of `revision`, `count` of them.
  bool settled(const std::string& service, std::uint32_t revision, std::size_t count) const {
    const std::vector<InstanceStatus> all = instances(service);
    return all.size() == count && std::all_of(all.begin(), all.end(), [&](const auto& s) {
             return s.ready && s.revision == revision;
           });
  }

  fs::path dir_;
  config::Spec spec_;
  asio::io_context io_{1};
  std::unique_ptr<Supervisor> supervisor_;
  std::map<std::string, std::vector<InstanceEndpoint>> ready_;
  // The smallest ready set of web published since the test last reset it to 1000 (once web was
  // at full strength, before the operation under test).
  std::size_t min_web_ready_ = 1000;
};

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
}  // namespace flotilla::supervisor
