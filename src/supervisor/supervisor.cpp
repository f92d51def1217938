// The supervisor's bookkeeping over instances: who is ready per service, and stopping them all.
#include "supervisor/supervisor.hpp"

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>

#include "gateway/async.hpp"
#include "supervisor/instance.hpp"

extern char** environ;

namespace flotilla::supervisor {

Supervisor::Supervisor(asio::io_context& control, const config::Spec& spec,
                       ReadyCallback on_ready_changed, SupervisorOptions options)
    : control_(control),
      on_ready_changed_(std::move(on_ready_changed)),
      context_(std::make_shared<SupervisorContext>(control)) {
  context_->log_dir = spec.state_dir / "logs";
  context_->drain = options.drain;
  context_->environment = std::move(options.environment);
  if (context_->environment.empty()) {
    for (char** entry = environ; *entry != nullptr; ++entry)
      context_->environment.emplace_back(*entry);
  }
  for (const config::Service& service : spec.services) {
    auto group = std::make_unique<ServiceGroup>();
    group->name = service.name;
    group->routable = service.ports.has_value();
    ServiceGroup* raw = group.get();
    for (std::uint32_t i = 0; i < service.replicas; ++i) {
      group->instances.push_back(std::make_shared<Instance>(
          context_, service, i, [this, raw] { publish_if_changed(*raw); }));
    }
    services_.push_back(std::move(group));
  }
}

Supervisor::~Supervisor() {
  context_->closed = true;
  for (auto& group : services_) {
    for (auto& instance : group->instances) instance->kill_now();
  }
  context_->reaper.close();
  // Exit callbacks hold their instances, which hold the context owning the reaper: break the
  // cycle here, while this object still keeps the context alive.
  auto callbacks = context_->reaper.release_all();
}

void Supervisor::start() {
  spdlog::info("supervisor: cgroup v1 controllers: {}; logs in {}", context_->cgroups.describe(),
               context_->log_dir.string());
  for (auto& group : services_) {
    for (auto& instance : group->instances) instance->start();
  }
}

void Supervisor::publish_if_changed(ServiceGroup& group) {
  if (!group.routable) return;
  std::vector<InstanceEndpoint> ready;
  for (const auto& instance : group.instances) {
    if (instance->ready()) ready.push_back(instance->endpoint());
  }
  if (ready == group.published) return;
  group.published = ready;
  spdlog::info("supervisor: service {}: {} of {} instances ready", group.name, ready.size(),
               group.instances.size());
  if (on_ready_changed_) on_ready_changed_(group.name, std::move(ready));
}

asio::awaitable<void> Supervisor::stop_all(bool drain) {
  if (!drain) context_->drain = config::Duration{0};  // final: nothing is routed any more
  std::size_t pending = 0;
  asio::steady_timer all_done(control_, asio::steady_timer::time_point::max());
  for (auto& group : services_) {
    for (auto& instance : group->instances) {
      ++pending;
      asio::co_spawn(control_, instance->stop(), [&pending, &all_done](std::exception_ptr) {
        if (--pending == 0) all_done.cancel();
      });
    }
  }
  while (pending > 0) co_await all_done.async_wait(gateway::use_nothrow);
  context_->reaper.reap_now();
  // Daemonized descendants that escaped their group (and any cgroup) were re-parented here.
  context_->reaper.kill_orphans();
  spdlog::info("supervisor: every instance stopped");
}

std::vector<InstanceStatus> Supervisor::status() const {
  std::vector<InstanceStatus> out;
  for (const auto& group : services_) {
    for (const auto& instance : group->instances) out.push_back(instance->status());
  }
  return out;
}

std::vector<InstanceEndpoint> Supervisor::ready_endpoints(const std::string& service) const {
  for (const auto& group : services_) {
    if (group->name == service) return group->published;
  }
  return {};
}

std::string Supervisor::cgroup_controllers() const {
  return context_->cgroups.describe();
}

}  // namespace flotilla::supervisor
