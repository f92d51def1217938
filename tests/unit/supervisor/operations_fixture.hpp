// The fixture of the supervisor operation tests (scale_test, rollout_test, apply_test): the
// shared SupervisorFixture with services of python3 http.server processes (ready when the port
// accepts) or sleeps, and what the operations report.
#pragma once

#include "supervisor_fixture.hpp"

namespace flotilla::supervisor::optest {

using namespace fixture;  // NOLINT: the fixture's helpers are these tests' vocabulary

class OperationsTest : public SupervisorFixture {
 protected:
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

  void on_ready(const std::string& service, std::size_t ready) override {
    if (service == "web") min_web_ready_ = std::min(min_web_ready_, ready);
  }

  // The smallest ready set of web published since the test last reset it to 1000 (once web was
  // at full strength, before the operation under test).
  std::size_t min_web_ready_ = 1000;
};

}  // namespace flotilla::supervisor::optest
