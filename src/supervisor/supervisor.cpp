// The supervisor's bookkeeping over instances: services and their revisions at start, creating
// and stopping instances (ports and indexes allocated here), who is ready per service, stopping
// them all, and the read side (status, history). Operations live in scale.cpp, rollout.cpp and
// apply.cpp.
#include "supervisor/supervisor.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>

#include "net/async.hpp"
#include "supervisor/exit_cause.hpp"
#include "supervisor/instance.hpp"
#include "supervisor/port_allocator.hpp"
#include "supervisor/service_group.hpp"

extern char** environ;

namespace flotilla::supervisor {

asio::awaitable<void> wait_for_change(ServiceGroup& group, asio::io_context& io,
                                      config::Duration at_most) {
  asio::steady_timer timer(io, at_most);
  group.waiters.push_back(&timer);
  co_await timer.async_wait(net::use_nothrow);
  std::erase(group.waiters, &timer);
}

Supervisor::Supervisor(asio::io_context& control, const config::Spec& spec,
                       ReadyCallback on_ready_changed, SupervisorOptions options)
    : control_(control),
      on_ready_changed_(std::move(on_ready_changed)),
      context_(std::make_shared<SupervisorContext>(control)),
      store_(spec.state_dir.empty() ? std::filesystem::path() : spec.state_dir / "revisions") {
  context_->log_dir = spec.state_dir / "logs";
  context_->drain = options.drain;
  context_->environment = std::move(options.environment);
  if (context_->environment.empty()) {
    for (char** entry = environ; *entry != nullptr; ++entry)
      context_->environment.emplace_back(*entry);
  }
  for (const config::Service& service : spec.services) {
    std::shared_ptr<ServiceGroup> group = make_group(service);
    services_.push_back(group);
    for (std::uint32_t i = 0; i < service.replicas; ++i) {
      if (!create_instance(group, group->spec, group->history.current)) {
        spdlog::error("supervisor: service {}: no free port for instance {} of {}", service.name,
                      i + 1, service.replicas);
        break;
      }
    }
  }
}

Supervisor::~Supervisor() {
  context_->closed = true;
  for (const auto& list : {&services_, &retiring_}) {
    for (auto& group : *list) {
      for (auto& instance : group->instances) instance->kill_now();
      group->notify();  // suspended rollouts wake, see `closed` and end
    }
  }
  context_->reaper.close();
  // Exit callbacks hold their instances, which hold the context owning the reaper: break the
  // cycle here, while this object still keeps the context alive.
  auto callbacks = context_->reaper.release_all();
}

std::shared_ptr<ServiceGroup> Supervisor::make_group(const config::Service& service) {
  auto group = std::make_shared<ServiceGroup>();
  group->name = service.name;
  group->spec = service;
  group->history = store_.load(service.name);
  const Revision* current = find_revision(group->history, group->history.current);
  // The file is what `up` runs, as `docker compose up` does: a `flotilla scale` or `rollout`
  // made since the last start is replaced by it. Say so, since it changes what runs.
  if (current != nullptr && same_template(current->spec, service)) {
    spdlog::info(
        "supervisor: service {}: revision {} (unchanged since the last run), {} "
        "replicas as the file says",
        service.name, current->number, service.replicas);
  } else {
    const char* cause = current == nullptr ? "initial" : "config changed";
    // Copied first: add_revision may move the revisions `current` points into.
    const std::uint32_t previous = current != nullptr ? current->number : 0;
    const std::string previous_cause = current != nullptr ? current->cause : "";
    group->history.current = add_revision(group->history, service, cause).number;
    if (previous != 0 && previous_cause != "initial" && previous_cause != "config changed" &&
        previous_cause != "reload") {
      spdlog::warn(
          "supervisor: service {}: revision {} ({}) ran at the last stop, but the file "
          "says otherwise: the file wins as revision {} (`flotilla rollback {}` goes "
          "back)",
          service.name, previous, previous_cause, group->history.current, service.name);
    } else {
      spdlog::info("supervisor: service {}: revision {} ({})", service.name, group->history.current,
                   cause);
    }
    save_history(*group);
  }
  return group;
}

void Supervisor::save_history(const ServiceGroup& group) const {
  store_.save(group.history);
}

std::shared_ptr<ServiceGroup> Supervisor::find(const std::string& service) const {
  for (const auto& group : services_) {
    if (group->name == service) return group;
  }
  return nullptr;
}

std::shared_ptr<Instance> Supervisor::create_instance(const std::shared_ptr<ServiceGroup>& group,
                                                      const config::Service& spec,
                                                      std::uint32_t revision) {
  if (stopping_all_ || context_->closed || group->removed) return nullptr;
  std::vector<std::uint32_t> indexes;
  for (const auto& instance : group->instances) indexes.push_back(instance->index());
  std::optional<std::uint16_t> port;
  if (spec.ports) {
    // Every live instance's port, of every service: a reload may have moved ranges around, and
    // a stopping instance holds its port until its process is gone.
    std::vector<std::uint16_t> in_use;
    for (const auto& instance : group->instances) {  // a group being added is not listed yet
      if (instance->port()) in_use.push_back(*instance->port());
    }
    for (const auto& list : {&services_, &retiring_}) {
      for (const auto& other : *list) {
        for (const auto& instance : other->instances) {
          if (instance->port()) in_use.push_back(*instance->port());
        }
      }
    }
    port = lowest_free_port(*spec.ports, in_use);
    if (!port) return nullptr;
  }
  const std::uint32_t index = lowest_free_index(indexes);
  auto instance = std::make_shared<Instance>(context_, spec, index, port, revision,
                                             [this, weak = std::weak_ptr<ServiceGroup>(group)] {
                                               if (std::shared_ptr<ServiceGroup> g = weak.lock()) {
                                                 publish_if_changed(*g);
                                                 g->notify();
                                               }
                                             });
  const auto at = std::find_if(group->instances.begin(), group->instances.end(),
                               [index](const auto& other) { return other->index() > index; });
  group->instances.insert(at, instance);
  if (started_) instance->start();
  return instance;
}

void Supervisor::stop_instance(const std::shared_ptr<ServiceGroup>& group,
                               const std::shared_ptr<Instance>& instance) {
  if (instance->stopping()) return;
  asio::co_spawn(control_, instance->stop(),
                 [this, context = context_, group, instance](std::exception_ptr) {
                   if (context->closed) return;
                   std::erase(group->instances, instance);
                   publish_if_changed(*group);
                   group->notify();
                   if (group->removed && group->instances.empty()) std::erase(retiring_, group);
                   // Its port is free now: whoever waited for one starts (a quick scale-down
                   // then up, a service re-added by a reload while its old instances stopped).
                   for (const auto& other : std::vector(services_)) top_up(other);
                 });
}

void Supervisor::set_run_end_listener(std::function<void(const RunEnd&)> listener) {
  context_->on_run_end = std::move(listener);
}

void Supervisor::start() {
  spdlog::info("supervisor: cgroup v1 controllers: {}; logs in {}", context_->cgroups.describe(),
               context_->log_dir.string());
  started_ = true;
  for (auto& group : services_) {
    for (auto& instance : group->instances) instance->start();
  }
}

void Supervisor::publish_if_changed(ServiceGroup& group) {
  std::vector<InstanceEndpoint> ready;
  for (const auto& instance : group.instances) {
    if (instance->ready() && instance->port()) ready.push_back(instance->endpoint());
  }
  if (ready == group.published) return;
  group.published = ready;
  spdlog::info("supervisor: service {}: {} of {} instances ready", group.name, ready.size(),
               group.instances.size());
  if (on_ready_changed_) on_ready_changed_(group.name, std::move(ready));
}

asio::awaitable<void> Supervisor::stop_all(bool drain) {
  stopping_all_ = true;
  if (!drain) context_->drain = config::Duration{0};  // final: nothing is routed any more
  std::size_t pending = 0;
  asio::steady_timer all_done(control_, asio::steady_timer::time_point::max());
  for (const auto& list : {&services_, &retiring_}) {
    for (auto& group : *list) {
      group->notify();  // a running rollout sees stopping_all_ and ends
      for (auto& instance : group->instances) {
        ++pending;
        // Instances already stopping are stopped again: the second stop only waits with them.
        // The handler holds the instance: the coroutine only takes its own reference once it runs.
        asio::co_spawn(control_, instance->stop(),
                       [&pending, &all_done, instance](std::exception_ptr) {
                         if (--pending == 0) all_done.cancel();
                       });
      }
    }
  }
  while (pending > 0) co_await all_done.async_wait(net::use_nothrow);
  context_->reaper.reap_now();
  // Daemonized descendants that escaped their group (and any cgroup) were re-parented here.
  context_->reaper.kill_orphans();
  spdlog::info("supervisor: every instance stopped");
}

void Supervisor::kill_all_now() {
  stopping_all_ = true;
  std::size_t killed = 0;
  for (const auto& list : {&services_, &retiring_}) {
    for (auto& group : *list) {
      group->notify();  // a running rollout sees stopping_all_ and ends
      for (auto& instance : group->instances) {
        instance->kill_now();
        ++killed;
      }
    }
  }
  spdlog::warn("supervisor: SIGKILL to all {} instance(s), without their stop grace", killed);
}

std::vector<InstanceStatus> Supervisor::status() const {
  std::vector<InstanceStatus> out;
  for (const auto& group : services_) {
    for (const auto& instance : group->instances) out.push_back(instance->status());
  }
  return out;
}

std::vector<ServiceStatus> Supervisor::service_status() const {
  std::vector<ServiceStatus> out;
  for (const auto& group : services_) {
    ServiceStatus s;
    s.name = group->name;
    s.revision = group->history.current;
    s.desired = group->spec.replicas;
    s.routable = group->spec.ports.has_value();
    s.stopped_from = group->stopped_from;
    s.rollout = group->rollout;
    for (const auto& instance : group->instances) {
      if (instance->available()) ++s.ready;
      s.instances.push_back(instance->status());
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<InstanceEndpoint> Supervisor::ready_endpoints(const std::string& service) const {
  const std::shared_ptr<ServiceGroup> group = find(service);
  return group ? group->published : std::vector<InstanceEndpoint>{};
}

OpResult<History> Supervisor::history(const std::string& service) const {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return OpError{OpError::Kind::not_found, "service '" + service + "' not found"};
  return group->history;
}

OpResult<std::optional<RolloutProgress>> Supervisor::rollout_status(
    const std::string& service) const {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return OpError{OpError::Kind::not_found, "service '" + service + "' not found"};
  return group->rollout;
}

OpResult<config::Service> Supervisor::current_spec(const std::string& service) const {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return OpError{OpError::Kind::not_found, "service '" + service + "' not found"};
  return group->spec;
}

std::string Supervisor::cgroup_controllers() const {
  return context_->cgroups.describe();
}

}  // namespace flotilla::supervisor
