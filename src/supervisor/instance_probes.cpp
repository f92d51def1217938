// The probe side of one instance run, with Kubernetes semantics: the startup probe gates the
// others (and kills the run when it fails for good), readiness only moves the instance in and out
// of rotation, liveness failure restarts the run. A service with ports and no startup/readiness
// probe gets an implicit TCP connect check before it is declared ready, so the gateway never
// routes to a port nobody listens on yet.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "net/async.hpp"
#include "supervisor/instance.hpp"
#include "supervisor/probe_runner.hpp"
#include "supervisor/proc_stats.hpp"

namespace flotilla::supervisor {
namespace {

using Verdict = ProbeTracker::Verdict;

// The implicit readiness check: connect every 100 ms until the app listens, forever if need be
// (a slow app is not a failed one; liveness is the user's to configure).
config::Probe implicit_port_check() {
  config::Probe probe;
  probe.kind = config::ProbeKind::tcp;
  probe.period = config::Duration{100};
  probe.timeout = config::Duration{1000};
  probe.success_threshold = 1;
  probe.failure_threshold = 0xffffffff;
  return probe;
}

}  // namespace

ProbeTarget Instance::make_target(const config::Probe& probe) const {
  ProbeTarget target;
  target.executor = context_->control.get_executor();
  target.port = probe.port.value_or(port_.value_or(0));
  target.timeout = probe.timeout;
  if (probe.kind == config::ProbeKind::exec) {
    target.argv = expanded_argv(probe.exec.argv);
    target.env = environment();
    target.cwd = service_.cwd.string();
    target.reaper = &context_->reaper;
  }
  return target;
}

asio::awaitable<void> Instance::kill_for_restart(std::uint64_t run, std::string reason) {
  auto self = shared_from_this();
  if (!alive(run) || stopping_) co_return;
  killed_by_probe_ = true;
  set_ready(false);
  spdlog::warn("{}: {}: restarting (signal {}, grace {} ms)", key_, reason, service_.stop.signal,
               service_.stop.grace.count());
  note(fmt::format("{}: stopping pid {} to restart it (signal {}, grace {} ms)", reason, pid_,
                   service_.stop.signal, service_.stop.grace.count()));
  signal_group(service_.stop.signal);
  const bool gone = co_await wait_for_exit(run, service_.stop.grace);
  if (gone) co_return;
  if (!alive(run) || stopping_) co_return;  // stop() took over
  spdlog::warn("{}: still running after the grace: SIGKILL", key_);
  signal_group(SIGKILL);
  if (cgroup_) cgroup_->kill_all();
}

asio::awaitable<void> Instance::probe_run(std::uint64_t run) {
  auto self = shared_from_this();
  const config::Probes& probes = service_.probes;
  if (probes.startup) {
    const bool started = co_await startup_run(run);
    if (!started) co_return;
  }
  if (!alive(run) || stopping_) co_return;
  if (state_ == InstanceState::starting) state_ = InstanceState::running;
  if (probes.liveness) asio::co_spawn(context_->control, liveness_run(run), asio::detached);
  if (port_) asio::co_spawn(context_->control, freeze_watch(run), asio::detached);
  if (!port_) {  // a worker: never in rotation, available once started
    ever_available_ = true;
    if (!context_->closed && on_change_) on_change_();
    co_return;
  }
  if (probes.readiness) {
    co_await readiness_run(run);
    co_return;
  }
  if (!probes.startup) {
    const bool accepts = co_await port_accepts(run);
    if (!accepts) co_return;
  }
  spdlog::info("{}: ready{}", key_,
               probes.startup ? "" : fmt::format(" (port {} accepts connections)", *port_));
  set_ready(true);
}

asio::awaitable<bool> Instance::startup_run(std::uint64_t run) {
  const config::Probe& probe = *service_.probes.startup;
  std::unique_ptr<ProbeCheck> check = make_probe(probe, make_target(probe));
  std::optional<bool> passed;
  std::string detail;
  ProbeLoopHooks hooks;
  hooks.alive = [this, run] { return alive(run) && !stopping_; };
  hooks.on_change = [&passed, &detail](bool passing, const ProbeResult& last) {
    passed = passing;
    detail = last.detail;
    return false;
  };
  hooks.on_failure = [this](const ProbeResult& r) {
    last_probe_failure_ = "startup probe failed: " + r.detail;
    spdlog::debug("{}: startup probe: {}", key_, r.detail);
  };
  co_await run_probe_loop(context_->control.get_executor(), probe, *check, Verdict::unknown,
                          std::move(hooks));
  if (!alive(run) || stopping_ || !passed) co_return false;
  if (!*passed) {
    co_await kill_for_restart(
        run, fmt::format("startup probe failed {} times ({})", probe.failure_threshold, detail));
    co_return false;
  }
  spdlog::info("{}: startup probe passed", key_);
  co_return true;
}

asio::awaitable<void> Instance::readiness_run(std::uint64_t run) {
  const config::Probe& probe = *service_.probes.readiness;
  std::unique_ptr<ProbeCheck> check = make_probe(probe, make_target(probe));
  ProbeLoopHooks hooks;
  hooks.alive = [this, run] { return alive(run) && !stopping_; };
  hooks.on_change = [this](bool passing, const ProbeResult& last) {
    if (passing) {
      spdlog::info("{}: ready (readiness probe passed)", key_);
    } else {
      spdlog::warn("{}: not ready: readiness probe failed {} times ({})", key_,
                   service_.probes.readiness->failure_threshold, last.detail);
    }
    set_ready(passing);
    return true;
  };
  hooks.on_failure = [this](const ProbeResult& r) {
    last_probe_failure_ = "readiness probe failed: " + r.detail;
    spdlog::debug("{}: readiness probe: {}", key_, r.detail);
  };
  hooks.on_check_start = [this] { probe_check_started(); };
  hooks.on_check_end = [this] { probe_check_ended(); };
  co_await run_probe_loop(context_->control.get_executor(), probe, *check, Verdict::unknown,
                          std::move(hooks));
}

asio::awaitable<bool> Instance::port_accepts(std::uint64_t run) {
  const config::Probe probe = implicit_port_check();
  std::unique_ptr<ProbeCheck> check = make_probe(probe, make_target(probe));
  bool listening = false;
  ProbeLoopHooks hooks;
  hooks.alive = [this, run] { return alive(run) && !stopping_; };
  hooks.on_change = [&listening](bool passing, const ProbeResult&) {
    listening = passing;
    return !passing;
  };
  hooks.on_failure = [this](const ProbeResult& r) {
    last_probe_failure_ = fmt::format("port {} does not accept connections: {}", *port_, r.detail);
  };
  co_await run_probe_loop(context_->control.get_executor(), probe, *check, Verdict::unknown,
                          std::move(hooks));
  co_return listening&& alive(run) && !stopping_;
}

asio::awaitable<void> Instance::liveness_run(std::uint64_t run) {
  auto self = shared_from_this();
  const config::Probe& probe = *service_.probes.liveness;
  std::unique_ptr<ProbeCheck> check = make_probe(probe, make_target(probe));
  std::string detail;
  bool failed = false;
  ProbeLoopHooks hooks;
  hooks.alive = [this, run] { return alive(run) && !stopping_; };
  hooks.on_change = [&failed, &detail](bool passing, const ProbeResult& last) {
    failed = !passing;
    detail = last.detail;
    return passing;
  };
  // One failed check takes the instance out of rotation at once (requests go elsewhere while the
  // threshold is counted); the restart waits for failure_threshold, as Kubernetes' does.
  hooks.on_failure = [this](const ProbeResult& r) {
    spdlog::info("{}: liveness probe failed: {}", key_, r.detail);
    hold_out(liveness_failing_, true, "liveness probe failed: " + r.detail);
  };
  hooks.on_success = [this] {
    hold_out(liveness_failing_, false, "liveness probe passes again: back in rotation");
  };
  hooks.on_check_start = [this] { probe_check_started(); };
  hooks.on_check_end = [this] { probe_check_ended(); };
  co_await run_probe_loop(context_->control.get_executor(), probe, *check, Verdict::passing,
                          std::move(hooks));
  if (failed) {
    co_await kill_for_restart(
        run, fmt::format("liveness probe failed {} times ({})", probe.failure_threshold, detail));
  }
}

void Instance::probe_check_started() {
  probe_waiting_since_ = Clock::now();
  const auto progress = pid_ > 0 ? read_process_progress(pid_) : std::nullopt;
  probe_ticks_at_start_ = progress ? progress->cpu_ticks : 0;
}

asio::awaitable<void> Instance::freeze_watch(std::uint64_t run) {
  auto self = shared_from_this();
  constexpr std::chrono::milliseconds kFreezeCheck{200};
  constexpr std::chrono::milliseconds kFreezeWait{1000};
  asio::steady_timer timer(context_->control);
  while (alive(run) && !stopping_) {
    timer.expires_after(kFreezeCheck);
    co_await timer.async_wait(net::use_nothrow);
    if (!alive(run) || stopping_) co_return;
    const auto progress = read_process_progress(pid_);
    if (!progress) continue;
    const bool stopped = progress->state == 'T' || progress->state == 't';
    const bool probe_waits = probe_waiting_since_ != Clock::time_point{} &&
                             Clock::now() - probe_waiting_since_ >= kFreezeWait;
    const bool stalled = probe_waits && progress->cpu_ticks == probe_ticks_at_start_;
    if (stopped || stalled) {
      hold_out(frozen_, true,
               stopped ? fmt::format("frozen: process {} is stopped", pid_)
                       : fmt::format("frozen: no CPU progress for {} ms while a probe waits",
                                     std::chrono::duration_cast<std::chrono::milliseconds>(
                                         Clock::now() - probe_waiting_since_)
                                         .count()));
    } else if (frozen_) {
      hold_out(frozen_, false, "runs again: back in rotation");
    }
  }
}

}  // namespace flotilla::supervisor
