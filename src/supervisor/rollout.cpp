// Rolling updates of one service: rollout, rollback and restart all become a new revision rolled
// out by run_rollout (rollout_plan.hpp decides how many to start and stop at each step), and a
// new instance that exits or misses rollout.progress_deadline rolls the service back by itself.
// The old revision keeps serving throughout: an available old instance is stopped only once
// enough others are available, never the last one.
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "supervisor/instance.hpp"
#include "supervisor/log_reader.hpp"
#include "supervisor/rollout_plan.hpp"
#include "supervisor/service_group.hpp"
#include "supervisor/supervisor.hpp"

namespace flotilla::supervisor {
namespace {

using Clock = std::chrono::steady_clock;

// How often a rollout looks at its instances when nothing woke it (deadlines are checked then).
constexpr config::Duration kPollInterval{100};

std::string format_duration(config::Duration d) {
  if (d.count() % 1000 == 0) return fmt::format("{}s", d.count() / 1000);
  return fmt::format("{}ms", d.count());
}

// Why a new instance fails the rollout now, or "" while it still may become ready.
std::string new_instance_failure(const Instance& instance, std::uint32_t revision,
                                 config::Duration deadline, Clock::time_point now) {
  if (instance.has_exited()) {
    return fmt::format("{} of revision {} exited{}: {}", instance.key(), revision,
                       instance.ever_available() ? "" : " before becoming ready",
                       instance.last_exit()->describe());
  }
  if (!instance.ever_available() && now - instance.created_at() >= deadline) {
    return fmt::format("{} of revision {} not ready after {}: {}", instance.key(), revision,
                       format_duration(deadline), instance.not_ready_reason());
  }
  return {};
}

// How many of a failed new instance's last log lines a rolled-back rollout shows.
constexpr std::uint32_t kFailedInstanceLogLines = 10;

// The reason of a rollout ended by `flotilla rollback`.
constexpr std::string_view kRollbackRequested = "rollback requested";

OpError not_found(const std::string& service) {
  return OpError{OpError::Kind::not_found, fmt::format("service '{}' not found", service)};
}

}  // namespace

std::string_view to_string(RolloutState state) {
  switch (state) {
    case RolloutState::running:
      return "running";
    case RolloutState::succeeded:
      return "succeeded";
    case RolloutState::rolled_back:
      return "rolled_back";
    case RolloutState::failed:
      return "failed";
  }
  return "unknown";
}

OpResult<RolloutProgress> Supervisor::rollout(const std::string& service, config::Service spec,
                                              std::string cause) {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return not_found(service);
  return begin_rollout(group, std::move(spec), std::move(cause));
}

OpResult<RolloutProgress> Supervisor::rollback(const std::string& service,
                                               std::optional<std::uint32_t> to) {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return not_found(service);
  if (group->rollout_running) {
    if (!to || *to == group->rollout->from_revision) return abort_rollout(group);
    return OpError{OpError::Kind::conflict,
                   fmt::format("service {}: rollout in progress (revision {}); a rollback "
                               "without --to (or --to {}) ends it",
                               service, group->rollout->revision, group->rollout->from_revision)};
  }
  const History& history = group->history;
  const Revision* target = nullptr;
  if (to) {
    target = find_revision(history, *to);
    if (target == nullptr) {
      return OpError{OpError::Kind::not_found,
                     fmt::format("service {}: no revision {} (the last {} are kept)", service, *to,
                                 kRevisionsKept)};
    }
    if (*to == history.current) {
      return OpError{OpError::Kind::invalid,
                     fmt::format("service {}: revision {} is already current", service, *to)};
    }
  } else {
    // As `kubectl rollout undo`, where identical templates share a revision: a restart (or a
    // rollout back to the same spec) is not a step back, so skip the revisions that would run
    // exactly what runs now, and the ones that rolled back.
    for (const Revision& r : history.revisions) {  // newest first
      if (r.number < history.current && r.outcome.empty() && !same_template(r.spec, group->spec)) {
        target = &r;
        break;
      }
    }
    if (target == nullptr) {
      return OpError{OpError::Kind::invalid,
                     fmt::format("service {}: no earlier revision to roll back to", service)};
    }
  }
  config::Service spec = target->spec;
  spec.replicas = group->spec.replicas;  // as `kubectl rollout undo`: the count stays
  return begin_rollout(group, std::move(spec), fmt::format("rollback to {}", target->number));
}

OpResult<RolloutProgress> Supervisor::abort_rollout(const std::shared_ptr<ServiceGroup>& group) {
  RolloutProgress& progress = *group->rollout;
  // Once rolling back (the current revision is the old one again) there is nothing to end.
  if (group->history.current == progress.revision && group->abort_reason.empty()) {
    spdlog::info("supervisor: service {}: rollback requested during the rollout of revision {}",
                 group->name, progress.revision);
    group->abort_reason = kRollbackRequested;
    if (group->pending) {
      // A change queued behind the rollout would roll forward again right after: the request
      // was to go back.
      spdlog::info("supervisor: service {}: queued {} dropped by the rollback", group->name,
                   group->pending->cause);
      group->pending.reset();
    }
    group->notify();
  }
  progress.rollback_requested = true;
  return progress;
}

OpResult<RolloutProgress> Supervisor::restart(const std::string& service) {
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) return not_found(service);
  return begin_rollout(group, group->spec, "restart");
}

OpResult<RolloutProgress> Supervisor::begin_rollout(const std::shared_ptr<ServiceGroup>& group,
                                                    config::Service spec, std::string cause) {
  spec.name = group->name;
  if (std::optional<OpError> error = check_replicas(spec)) return *error;
  if (group->rollout_running) {
    return OpError{OpError::Kind::conflict,
                   fmt::format("service {}: rollout in progress (revision {})", group->name,
                               group->rollout->revision)};
  }
  if (stopping_all_) return OpError{OpError::Kind::conflict, "flotilla is shutting down"};

  RolloutProgress progress;
  progress.service = group->name;
  progress.from_revision = group->history.current;
  progress.cause = cause;
  progress.desired = spec.replicas;
  progress.started = std::chrono::system_clock::now();
  if (cause != "restart" && same_template(spec, group->spec)) {
    // Nothing new to run: at most the count changes, which is a scale, not a revision. It is
    // still the service's latest rollout: whoever follows GET .../rollout must see this answer,
    // not the one of an earlier (perhaps failed) rollout.
    progress.revision = progress.from_revision;
    progress.state = RolloutState::succeeded;
    progress.phase =
        spec.replicas == group->spec.replicas
            ? "no change"
            : fmt::format("no new revision: scaled {} → {}", group->spec.replicas, spec.replicas);
    progress.finished = progress.started;
    group->spec.replicas = spec.replicas;
    group->rollout = progress;
    reconcile_replicas(group);
    return progress;
  }

  config::Service from = group->spec;
  const std::uint32_t revision = add_revision(group->history, spec, cause).number;
  group->history.current = revision;
  group->spec = std::move(spec);
  save_history(*group);
  progress.revision = revision;
  progress.phase = "starting";
  group->rollout = progress;
  group->rollout_running = true;
  spdlog::info("supervisor: service {}: rollout of revision {} ({}) from revision {}", group->name,
               revision, cause, progress.from_revision);
  asio::co_spawn(control_, run_rollout(group, std::move(from), progress.from_revision),
                 asio::detached);
  return progress;
}

bool Supervisor::rollout_aborted(const ServiceGroup& group) const {
  return stopping_all_ || group.removed;
}

// GCC 12 at -O2 reports a false -Wmismatched-new-delete on this coroutine's frame (Asio's
// class-specific operator new/delete, the same false positive CMakeLists.txt silences for the
// sanitizer build); the frame is allocated and freed by Asio's own pair.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<void> Supervisor::run_rollout(std::shared_ptr<ServiceGroup> group,
                                              config::Service from, std::uint32_t from_revision) {
  const std::shared_ptr<SupervisorContext> context = context_;
  const config::Service to = group->spec;
  const std::uint32_t revision = group->history.current;
  const std::optional<std::uint32_t> capacity =
      to.ports ? std::optional<std::uint32_t>(to.ports->size()) : std::nullopt;
  const RolloutBudget budget = rollout_budget(to.rollout, to.replicas, capacity);
  const config::Duration deadline = to.rollout.progress_deadline;
  spdlog::info("supervisor: service {}: {} replicas, max surge {}, max unavailable {}", to.name,
               to.replicas, budget.surge, budget.unavailable);

  // A rollout also fails when nothing moves for a whole deadline (an instance that was ready
  // once and then lost its readiness for good, a port held by something else).
  std::string last_shape;
  Clock::time_point last_progress = Clock::now();
  std::string failure;
  std::shared_ptr<Instance> failed_instance;  // the new instance that failed the rollout, if any
  while (failure.empty()) {
    if (context->closed) co_return;
    if (!group->abort_reason.empty()) {
      failure = std::exchange(group->abort_reason, {});
      break;
    }
    if (rollout_aborted(*group)) {
      finish_rollout(
          group, RolloutState::failed,
          group->removed ? "the service was removed by a reload" : "flotilla is shutting down");
      co_return;
    }
    RolloutCounts counts;
    counts.desired = to.replicas;
    std::vector<std::shared_ptr<Instance>> old_unavailable;  // by index
    std::vector<std::shared_ptr<Instance>> old_available;
    std::size_t stopping = 0;
    const Clock::time_point now = Clock::now();
    for (const auto& instance : group->instances) {
      if (instance->stopping()) {
        ++stopping;
      } else if (instance->revision() == revision) {
        ++counts.new_total;
        if (instance->available()) {
          ++counts.new_available;
        } else if (failure.empty()) {
          failure = new_instance_failure(*instance, revision, deadline, now);
          if (!failure.empty()) failed_instance = instance;
        }
      } else {
        (instance->available() ? old_available : old_unavailable).push_back(instance);
      }
    }
    counts.old_available = static_cast<std::uint32_t>(old_available.size());
    counts.old_total = counts.old_available + static_cast<std::uint32_t>(old_unavailable.size());
    group->rollout->updated = counts.new_total;
    group->rollout->ready = counts.new_available;
    if (!failure.empty()) break;

    const std::string shape = fmt::format("{}/{}/{}/{}", counts.new_total, counts.new_available,
                                          counts.old_total, stopping);
    // Stops are bounded by drain + stop.grace on their own; waiting for one is not "stuck".
    if (shape != last_shape || stopping > 0) {
      last_shape = shape;
      last_progress = now;
    } else if (now - last_progress >= deadline) {
      failure = fmt::format("revision {} made no progress for {} ({} of {} new instances ready)",
                            revision, format_duration(deadline), counts.new_available, to.replicas);
      break;
    }

    if (counts.new_total == to.replicas && counts.new_available == to.replicas &&
        counts.old_total == 0) {
      if (stopping == 0) {
        finish_rollout(group, RolloutState::succeeded, "");
        co_return;
      }
      group->rollout->phase = fmt::format("all {} new instances ready; {} old instance(s) stopping",
                                          to.replicas, stopping);
    } else {
      const RolloutStep step = plan_rollout_step(counts, budget);
      for (std::uint32_t i = 0; i < step.stop_old_unavailable; ++i) {
        stop_instance(group, old_unavailable[old_unavailable.size() - 1 - i]);
      }
      for (std::uint32_t i = 0; i < step.stop_old_available; ++i) {
        stop_instance(group, old_available[old_available.size() - 1 - i]);
      }
      for (std::uint32_t i = 0; i < step.start_new; ++i) {
        if (!create_instance(group, to, revision)) break;  // a port frees up when an old one goes
      }
      group->rollout->phase =
          fmt::format("{} of {} new instances ready; {} old instance(s) left, {} stopping",
                      counts.new_available, to.replicas, counts.old_total, stopping);
    }
    co_await wait_for_change(*group, context->control, kPollInterval);
  }
  if (failed_instance) {
    // Its own last words say why better than any summary (kubectl makes you go and look).
    LogQuery query;
    query.instance = failed_instance->index();
    query.limit = kFailedInstanceLogLines;
    group->rollout->failed_instance = failed_instance->key();
    for (LogLine& line : read_logs(context->log_dir, group->name, query).lines) {
      group->rollout->failed_instance_log.push_back(std::move(line.line));
    }
  }
  co_await roll_back(std::move(group), std::move(from), from_revision, std::move(failure));
}
#pragma GCC diagnostic pop

asio::awaitable<void> Supervisor::roll_back(std::shared_ptr<ServiceGroup> group,
                                            config::Service from, std::uint32_t from_revision,
                                            std::string reason) {
  const std::shared_ptr<SupervisorContext> context = context_;
  const std::uint32_t failed = group->history.current;
  spdlog::log(reason == kRollbackRequested ? spdlog::level::info : spdlog::level::err,
              "supervisor: service {}: rollout of revision {} {}: {}; rolling back to revision {}",
              group->name, failed, reason == kRollbackRequested ? "ended" : "failed", reason,
              from_revision);
  if (Revision* revision = find_revision(group->history, failed)) {
    revision->outcome = "rolled back: " + reason;
  }
  group->history.current = from_revision;
  group->spec = from;
  save_history(*group);
  group->rollout->message = reason;

  // New instances that serve nothing go at once; the ones in rotation stay until the old
  // revision is back at full strength (or a deadline passed), so the service keeps serving.
  const Clock::time_point began = Clock::now();
  const config::Duration deadline = from.rollout.progress_deadline;
  while (true) {
    if (context->closed) co_return;
    if (rollout_aborted(*group)) {
      finish_rollout(group, RolloutState::failed, reason + "; the rollback was interrupted");
      co_return;
    }
    std::uint32_t old_total = 0;
    std::uint32_t old_available = 0;
    std::vector<std::shared_ptr<Instance>> serving_new;
    std::size_t new_left = 0;
    for (const auto& instance : std::vector(group->instances)) {
      if (instance->revision() == failed) {
        ++new_left;
        if (instance->stopping()) continue;
        if (instance->available()) {
          serving_new.push_back(instance);
        } else {
          stop_instance(group, instance);
        }
      } else if (!instance->stopping() && !instance->drained()) {
        ++old_total;
        if (instance->available()) ++old_available;
      }
    }
    for (std::uint32_t n = old_total; n < from.replicas; ++n) {
      if (!create_instance(group, from, from_revision)) break;
    }
    const bool old_ready = old_available >= from.replicas;
    if (old_ready || Clock::now() - began >= deadline) {
      for (const auto& instance : serving_new) stop_instance(group, instance);
      if (new_left == 0) break;
    }
    group->rollout->phase =
        fmt::format("rolling back to revision {}: {} of {} ready, {} new instance(s) left",
                    from_revision, old_available, from.replicas, new_left);
    co_await wait_for_change(*group, context->control, kPollInterval);
  }
  finish_rollout(group, RolloutState::rolled_back, reason);
}

void Supervisor::finish_rollout(const std::shared_ptr<ServiceGroup>& group, RolloutState state,
                                std::string message) {
  RolloutProgress& progress = *group->rollout;
  group->rollout_running = false;
  group->abort_reason.clear();  // a request that came too late to matter
  progress.state = state;
  progress.message = std::move(message);
  progress.finished = std::chrono::system_clock::now();
  switch (state) {
    case RolloutState::succeeded:
      progress.phase = fmt::format("revision {} serving with {} instance(s)", progress.revision,
                                   progress.desired);
      spdlog::info("supervisor: service {}: rollout of revision {} succeeded", group->name,
                   progress.revision);
      break;
    case RolloutState::rolled_back:
      progress.phase = fmt::format("rolled back to revision {}", progress.from_revision);
      break;
    case RolloutState::failed:
    case RolloutState::running:
      spdlog::warn("supervisor: service {}: rollout of revision {} ended: {}", group->name,
                   progress.revision, progress.message);
      break;
  }
  group->notify();
  if (group->pending && !rollout_aborted(*group)) {
    ServiceGroup::Pending pending = std::move(*group->pending);
    group->pending.reset();
    OpResult<RolloutProgress> next = begin_rollout(group, std::move(pending.spec), pending.cause);
    if (!next) {
      spdlog::error("supervisor: service {}: queued {} not applied: {}", group->name, pending.cause,
                    next.error().message);
    }
  }
}

asio::awaitable<std::optional<RolloutProgress>> Supervisor::wait_for_rollout(std::string service) {
  const std::shared_ptr<SupervisorContext> context = context_;
  const std::shared_ptr<ServiceGroup> group = find(service);
  if (!group) co_return std::nullopt;
  while (group->rollout_running && !context->closed) {
    co_await wait_for_change(*group, context->control, config::Duration{500});
  }
  co_return group->rollout;
}

}  // namespace flotilla::supervisor
