// Scale and drain: changing how many instances of the current revision run, and taking one out
// of rotation without replacing it. Neither creates a revision.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "supervisor/instance.hpp"
#include "supervisor/service_group.hpp"
#include "supervisor/supervisor.hpp"

namespace flotilla::supervisor {
namespace {

OpError service_not_found(const std::string& service) {
  return OpError{OpError::Kind::not_found, fmt::format("service '{}' not found", service)};
}

}  // namespace

std::optional<OpError> Supervisor::check_replicas(const config::Service& spec) const {
  if (spec.replicas > kMaxReplicas) {
    return OpError{OpError::Kind::invalid, fmt::format("replicas must be between 0 and {}, got {}",
                                                       kMaxReplicas, spec.replicas)};
  }
  if (spec.ports && spec.replicas > spec.ports->size()) {
    return OpError{
        OpError::Kind::invalid,
        fmt::format("service {}: ports {}-{} hold {} instance(s), not {}", spec.name,
                    spec.ports->first, spec.ports->last, spec.ports->size(), spec.replicas)};
  }
  return std::nullopt;
}

OpResult<ScaleResult> Supervisor::scale(const std::string& service, std::uint32_t replicas) {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return service_not_found(service);
  config::Service wanted = group->spec;
  wanted.replicas = replicas;
  if (std::optional<OpError> error = check_replicas(wanted)) return *error;
  if (group->rollout_running) {
    return OpError{OpError::Kind::conflict,
                   fmt::format("service {}: rollout in progress (revision {})", service,
                               group->rollout->revision)};
  }
  if (stopping_all_) return OpError{OpError::Kind::conflict, "flotilla is shutting down"};
  ScaleResult result{service, group->spec.replicas, replicas};
  group->spec.replicas = replicas;
  group->stopped_from.reset();
  spdlog::info("supervisor: service {}: scale {} → {}", service, result.previous, replicas);
  reconcile_replicas(group);
  return result;
}

void Supervisor::reconcile_replicas(const std::shared_ptr<ServiceGroup>& group) {
  // Drained instances were kept only until the next change of the service: now they go.
  std::vector<std::shared_ptr<Instance>> active;
  for (const auto& instance : group->instances) {
    if (instance->stopping()) continue;
    if (instance->drained()) {
      stop_instance(group, instance);
    } else {
      active.push_back(instance);
    }
  }
  // `instances` is ordered by index: the highest indexes go first.
  while (active.size() > group->spec.replicas) {
    stop_instance(group, active.back());
    active.pop_back();
  }
  top_up(group);
}

void Supervisor::top_up(const std::shared_ptr<ServiceGroup>& group) {
  if (group->rollout_running || group->removed || stopping_all_) return;
  std::size_t live = 0;
  for (const auto& instance : group->instances) {
    if (!instance->stopping()) ++live;  // drained ones count: they are not replaced
  }
  for (; live < group->spec.replicas; ++live) {
    // A port may still be held by a stopping instance: its end tops up again.
    if (!create_instance(group, group->spec, group->history.current)) {
      spdlog::info("supervisor: service {}: {} of {} instances: waiting for a free port",
                   group->name, live, group->spec.replicas);
      break;
    }
  }
}

OpResult<DrainResult> Supervisor::drain(const std::string& service, std::uint32_t index) {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return service_not_found(service);
  for (const auto& instance : group->instances) {
    if (instance->index() != index || instance->stopping()) continue;
    DrainResult result{instance->key(), instance->ready()};
    instance->drain();
    return result;
  }
  return OpError{OpError::Kind::not_found,
                 fmt::format("instance {}/{} not found (or already stopping)", service, index)};
}

OpResult<DrainResult> Supervisor::undrain(const std::string& service, std::uint32_t index) {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return service_not_found(service);
  for (const auto& instance : group->instances) {
    if (instance->index() != index || instance->stopping()) continue;
    DrainResult result{instance->key(), instance->ready()};
    instance->undrain();
    return result;
  }
  return OpError{OpError::Kind::not_found,
                 fmt::format("instance {}/{} not found (or already stopping)", service, index)};
}

OpResult<StopResult> Supervisor::stop_service(const std::string& service) {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return service_not_found(service);
  if (group->stopped_from) return StopResult{service, *group->stopped_from, false};
  const std::uint32_t count = group->spec.replicas;
  auto scaled = scale(service, 0);
  if (!scaled) return scaled.error();
  group->stopped_from = count;
  spdlog::info("supervisor: service {}: stopped ({} instance(s) come back on start)", service,
               count);
  return StopResult{service, count, true};
}

OpResult<StopResult> Supervisor::start_service(const std::string& service) {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return service_not_found(service);
  if (!group->stopped_from) return StopResult{service, group->spec.replicas, false};
  const std::uint32_t count = *group->stopped_from;
  auto scaled = scale(service, count);  // clears stopped_from
  if (!scaled) return scaled.error();
  spdlog::info("supervisor: service {}: started again at {} instance(s)", service, count);
  return StopResult{service, count, true};
}

}  // namespace flotilla::supervisor
