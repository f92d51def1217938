// The fixture of the supervisor operation tests (scale_test, rollout_test, apply_test): a real
// Supervisor on a test-owned io_context, services of python3 http.server processes (ready when
// the port accepts) or sleeps, and helpers reading /proc. Each test stops what it started.
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

#include <gtest/gtest.h>
#include <asio/co_spawn.hpp>

#include "supervisor/supervisor.hpp"

namespace flotilla::supervisor::optest {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// `count` consecutive free loopback ports (checked by binding them).
inline std::uint16_t free_port_range(std::uint16_t count) {
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

inline bool process_exists(pid_t pid) {
  // A zombie still has /proc/PID; the reaper reaps promptly, so "exists" means really running.
  return fs::exists("/proc/" + std::to_string(pid));
}

// Running, not a zombie left for a reaper that is gone.
inline bool process_running(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
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

}  // namespace flotilla::supervisor::optest
