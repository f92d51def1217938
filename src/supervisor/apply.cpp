// A reloaded config applied to the running services: the difference between what runs and what
// the file now says, turned into starts, stops, scales and rollouts (cause "reload").
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "supervisor/instance.hpp"
#include "supervisor/service_group.hpp"
#include "supervisor/supervisor.hpp"

namespace flotilla::supervisor {

std::vector<std::string> Supervisor::apply(const config::Spec& spec) {
  std::vector<std::string> changes;
  if (stopping_all_) return changes;

  // Removed services: every instance stops gracefully; the group lingers in retiring_ until the
  // last one is gone (its ports stay taken until then).
  for (const std::shared_ptr<ServiceGroup>& group : std::vector(services_)) {
    const bool kept = std::any_of(spec.services.begin(), spec.services.end(),
                                  [&](const config::Service& s) { return s.name == group->name; });
    if (kept) continue;
    group->removed = true;
    group->pending.reset();
    group->notify();  // a running rollout ends
    changes.push_back(
        fmt::format("{}: removed (stopping {} instance(s))", group->name, group->instances.size()));
    std::erase(services_, group);
    if (!group->instances.empty()) retiring_.push_back(group);
    for (const auto& instance : std::vector(group->instances)) stop_instance(group, instance);
  }

  std::vector<std::shared_ptr<ServiceGroup>> ordered;
  for (const config::Service& service : spec.services) {
    std::shared_ptr<ServiceGroup> group = find(service.name);
    if (!group) {
      group = make_group(service);
      top_up(group);
      changes.push_back(fmt::format("{}: added ({} replica(s), revision {})", service.name,
                                    service.replicas, group->history.current));
      ordered.push_back(std::move(group));
      continue;
    }
    ordered.push_back(group);
    const bool template_changed = !same_template(service, group->spec);
    // The scaling policy is not part of the template: it changes in place, restarting nothing.
    if (!template_changed && service.autoscale != group->spec.autoscale) {
      group->spec.autoscale = service.autoscale;
      changes.push_back(fmt::format("{}: autoscale {}", service.name,
                                    service.autoscale ? "settings changed" : "turned off"));
    }
    if (!template_changed && service.replicas == group->spec.replicas) continue;
    if (group->rollout_running) {
      group->pending = ServiceGroup::Pending{service, "reload"};
      changes.push_back(
          fmt::format("{}: changed; applied when the running rollout of revision "
                      "{} ends",
                      service.name, group->rollout->revision));
      continue;
    }
    if (!template_changed) {
      const std::uint32_t previous = group->spec.replicas;
      OpResult<ScaleResult> scaled = scale(service.name, service.replicas);
      changes.push_back(
          scaled ? fmt::format("{}: scaled {} → {}", service.name, previous, service.replicas)
                 : fmt::format("{}: not scaled: {}", service.name, scaled.error().message));
      continue;
    }
    OpResult<RolloutProgress> rollout = begin_rollout(group, service, "reload");
    changes.push_back(
        rollout
            ? fmt::format("{}: rollout to revision {} (reload)", service.name, rollout->revision)
            : fmt::format("{}: not rolled out: {}", service.name, rollout.error().message));
  }
  services_ = std::move(ordered);  // file order, as status lists them
  for (const std::string& change : changes) spdlog::info("supervisor: reload: {}", change);
  return changes;
}

}  // namespace flotilla::supervisor
