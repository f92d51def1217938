// The fixture shared by the supervisor's unit tests: a real Supervisor on a test-owned io_context
// in a fresh directory, shell-command services, a control loop run until a condition holds, and
// helpers reading /proc. Every process is a child of the test; each test stops what it started.
#pragma once

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
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>

#include "supervisor/supervisor.hpp"

namespace flotilla::supervisor::fixture {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `count` (at most 16) consecutive free loopback ports (checked by binding them), below the
// ephemeral range. Each test process starts from its own 16-port slot (by pid), so tests running
// side by side do not pick overlapping ranges between checking and using them.
inline std::uint16_t free_port_range(std::uint16_t count) {
  constexpr int kSlots = 600;  // 22000 + 600 * 16 = 31600
  for (int attempt = 0; attempt < kSlots; ++attempt) {
    const auto base = static_cast<std::uint16_t>(22000 + (::getpid() + attempt) % kSlots * 16);
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

inline bool process_exists(pid_t pid) {
  // A zombie still has /proc/PID; the reaper reaps promptly, so "exists" means really running.
  return fs::exists("/proc/" + std::to_string(pid));
}

// Running, not a zombie left for a reaper that is gone.
inline bool process_running(pid_t pid) {
  const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// The value of `name` in the process's environment, "" if absent.
inline std::string environment_of(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ");
  std::string entry;
  while (std::getline(in, entry, '\0')) {
    if (entry.rfind(name + "=", 0) == 0) return entry.substr(name.size() + 1);
  }
  return {};
}

// Processes whose process group is `pgid`, from /proc (zombies included).
inline std::set<pid_t> group_members(pid_t pgid) {
  std::set<pid_t> members;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = slurp(entry.path() / "stat");
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string state;
    pid_t ppid = 0;
    pid_t group = 0;
    fields >> state >> ppid >> group;
    if (group == pgid) members.insert(std::stoi(name));
  }
  return members;
}

class SupervisorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("flotilla-supervisor-test-" + std::to_string(::getpid()) + "-" +
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

  // `replicas` of `/bin/sh -c shell_command` in the test's directory, restarted after 100 ms
  // doubling to 400 ms, 2 s of stop grace, 10 s of rollout progress deadline. Not added to the
  // spec.
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

  // Each published ready set, after ready_ has it.
  virtual void on_ready(const std::string& /*service*/, std::size_t /*ready*/) {}

  void start() {
    supervisor_ = std::make_unique<Supervisor>(
        io_, spec_,
        [this](const std::string& service, std::vector<InstanceEndpoint> ready) {
          const std::size_t count = ready.size();
          ready_[service] = std::move(ready);
          on_ready(service, count);
        },
        SupervisorOptions{config::Duration{0}, {}});
    supervisor_->start();
  }

  // Runs the control loop until `done()` or the timeout; returns done().
  template <typename Predicate>
  bool run_until(Predicate done, Clock::duration timeout = 10s) {
    const Clock::time_point deadline = Clock::now() + timeout;
    while (!done() && Clock::now() < deadline) {
      io_.restart();
      io_.run_for(10ms);
    }
    return done();
  }

  // stop_all(), run to its end; how long it took.
  Clock::duration stop() {
    const Clock::time_point begin = Clock::now();
    bool stopped = false;
    asio::co_spawn(io_, supervisor_->stop_all(), [&](std::exception_ptr) { stopped = true; });
    EXPECT_TRUE(run_until([&] { return stopped; }, 15s));
    return Clock::now() - begin;
  }

  std::vector<InstanceStatus> instances(const std::string& service) const {
    std::vector<InstanceStatus> out;
    for (const InstanceStatus& s : supervisor_->status()) {
      if (s.service == service) out.push_back(s);
    }
    return out;
  }

  fs::path dir_;
  config::Spec spec_;
  asio::io_context io_{1};
  std::unique_ptr<Supervisor> supervisor_;
  std::map<std::string, std::vector<InstanceEndpoint>> ready_;
};

}  // namespace flotilla::supervisor::fixture
