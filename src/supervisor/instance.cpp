// One instance's runs: spawn, exit handling, restart back-off and the graceful stop. The probe
// side of a run lives in instance_probes.cpp.
#include "supervisor/instance.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "net/async.hpp"
#include "supervisor/expand.hpp"
#include "supervisor/line_stamper.hpp"
#include "supervisor/proc_stats.hpp"
#include "supervisor/rlimit_fallback.hpp"
#include "supervisor/spawn.hpp"

namespace flotilla::supervisor {
namespace {

// After SIGKILL a process is gone within milliseconds unless stuck in the kernel (D state).
constexpr std::chrono::seconds kKillWait{5};
// How long leftovers of a run get to die before its cgroup directories are removed.
constexpr std::chrono::milliseconds kCgroupCleanupDelay{200};

ExitInfo decode(int wait_status) {
  ExitInfo info;
  if (WIFEXITED(wait_status)) {
    info.code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    info.signal = WTERMSIG(wait_status);
  }
  return info;
}

template <typename Duration>
std::chrono::milliseconds ms(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

}  // namespace

Instance::Instance(std::shared_ptr<SupervisorContext> context, const config::Service& service,
                   std::uint32_t index, std::optional<std::uint16_t> port, std::uint32_t revision,
                   std::function<void()> on_change)
    : context_(std::move(context)),
      service_(service),
      index_(index),
      key_(fmt::format("{}/{}", service.name, index)),
      port_(port),
      revision_(revision),
      serial_(context_->next_serial++),
      on_change_(std::move(on_change)),
      backoff_(service.restart),
      restart_timer_(context_->control) {
  log_ = std::make_shared<RotatingFile>(
      context_->log_dir / fmt::format("{}-{}.log", service_.name, index_), service_.logs);
}

InstanceEndpoint Instance::endpoint() const {
  return {key_, port_ ? fmt::format("127.0.0.1:{}", *port_) : std::string()};
}

std::vector<std::string> Instance::expanded_argv(const std::vector<std::string>& argv) const {
  const InstanceVariables vars{port_, index_};
  std::vector<std::string> out;
  out.reserve(argv.size());
  for (const std::string& arg : argv) out.push_back(expand_instance_variables(arg, vars));
  return out;
}

std::vector<std::string> Instance::environment() const {
  const InstanceVariables vars{port_, index_};
  std::map<std::string, std::string> merged;
  for (const std::string& entry : context_->environment) {
    const std::size_t eq = entry.find('=');
    if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : service_.env) {
    merged[name] = expand_instance_variables(value, vars);
  }
  if (port_) merged["PORT"] = std::to_string(*port_);
  merged["FLOTILLA_SERVICE"] = service_.name;
  merged["FLOTILLA_INSTANCE"] = key_;
  merged["FLOTILLA_INSTANCE_INDEX"] = std::to_string(index_);
  merged["FLOTILLA_REVISION"] = std::to_string(revision_);
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [name, value] : merged) out.push_back(name + "=" + value);
  return out;
}

void Instance::start() {
  stopping_ = false;
  spawn();
}

void Instance::spawn() {
  if (context_->closed || stopping_) return;
  const std::uint64_t run = ++run_;
  liveness_failing_ = false;  // a new run starts with a clean slate
  frozen_ = false;
  probe_waiting_since_ = {};
  SpawnRequest request;
  request.argv = expanded_argv(service_.command.argv);
  request.env = environment();
  request.cwd = service_.cwd.string();

  std::vector<std::string> applied;
  std::vector<std::string> skipped;
  cgroup_.reset();
  if (!context_->cgroups.dirs().empty()) {
    // The serial keeps names unique when an index is reused while an earlier cgroup is removed.
    cgroup_ = std::make_unique<InstanceCgroup>(
        context_->cgroups, fmt::format("{}-{}-i{}-r{}", service_.name, index_, serial_, run),
        service_.resources, applied);
    request.cgroup_procs = cgroup_->procs_files();
  }
  const bool memory_by_cgroup = cgroup_ && cgroup_->limits_memory();
  const bool cpu_by_cgroup = std::any_of(
      applied.begin(), applied.end(), [](const std::string& a) { return a.rfind("cpu=", 0) == 0; });
  const bool pids_by_cgroup = cgroup_ && cgroup_->limits_pids();
  const std::size_t by_cgroup = applied.size();
  request.rlimits = rlimit_fallback(service_.resources, memory_by_cgroup, cpu_by_cgroup,
                                    pids_by_cgroup, applied, skipped);
  memory_limited_ = service_.resources.memory_bytes.has_value() &&
                    (memory_by_cgroup || by_cgroup != applied.size());
  limits_ = applied.empty() ? "none"
            : by_cgroup == applied.size()
                ? "cgroup v1: " + fmt::format("{}", fmt::join(applied, ", "))
                : fmt::format("{}", fmt::join(applied, ", "));
  if (run == 1 && (!applied.empty() || !skipped.empty())) {
    spdlog::info(
        "{}: resource limits {}{}", key_, limits_,
        skipped.empty() ? "" : fmt::format(" (not enforced: {})", fmt::join(skipped, ", ")));
  }

  if (service_.user || service_.group) {
    if (::geteuid() == 0) {
      const Credentials credentials = resolve_credentials(service_.user, service_.group);
      if (!credentials.error.empty()) {
        spdlog::error("{}: {}", key_, credentials.error);
        note(fmt::format("run {}: cannot start: {}", restarts_ + 1, credentials.error));
        finish_run(ExitInfo{127, 0, false}, Clock::duration::zero());
        return;
      }
      request.uid = credentials.uid;
      request.gid = credentials.gid;
    } else {
      spdlog::warn("{}: user/group ignored: flotilla is not running as root", key_);
    }
  }

  LogPipe pipe;
  request.output_fd = pipe.write_end();
  const SpawnResult spawned = spawn_process(request);
  pipe.close_write_end();
  if (!spawned.error.empty()) {
    // A child that failed before exec (pid > 0) exits 127 and is reaped as an orphan.
    spdlog::error("{}: cannot start `{}`: {}", key_, service_.command.text, spawned.error);
    note(fmt::format("run {}: cannot start `{}`: {}", restarts_ + 1, service_.command.text,
                     spawned.error));
    finish_run(ExitInfo{127, 0, false}, Clock::duration::zero());
    return;
  }
  context_->reaper.watch(
      spawned.pid, [self = shared_from_this(), run](int status) { self->on_exit(run, status); });
  pid_ = spawned.pid;
  group_ = spawned.pid;
  started_at_ = Clock::now();
  state_ = InstanceState::starting;
  killed_by_probe_ = false;
  spdlog::info("{}: started pid {}{} (revision {}): {}", key_, pid_,
               port_ ? fmt::format(" on port {}", *port_) : std::string(), revision_,
               service_.command.text);
  note(fmt::format("run {}: started pid {}{} (revision {}): {}", restarts_ + 1, pid_,
                   port_ ? fmt::format(" on port {}", *port_) : std::string(), revision_,
                   service_.command.text));
  output_ = std::make_shared<RunOutput>();
  asio::co_spawn(
      context_->control,
      [executor = context_->control.get_executor(), fd = pipe.release_read_end(), log = log_,
       output = output_]() -> asio::awaitable<void> {
        co_await pump_log(executor, fd, log);
        output->draining = false;
        if (!output->deferred.empty()) log->write(output->deferred);
        output->deferred.clear();
      },
      asio::detached);
  asio::co_spawn(context_->control, probe_run(run), asio::detached);
}

void Instance::on_exit(std::uint64_t run, int wait_status) {
  if (run != run_ || pid_ == 0) return;
  const Clock::duration ran_for = Clock::now() - started_at_;
  ExitInfo info = decode(wait_status);
  info.oom = cgroup_ && cgroup_->oom_kills() > 0;
  const ExitCause cause = classify_exit(info, stopping_, killed_by_probe_);
  note_after_output(fmt::format("pid {} {} after {} ms ({})", pid_,
                                info.oom ? info.describe() : "exited: " + info.describe(),
                                ms(ran_for).count(),
                                cause == ExitCause::crashed   ? "it crashed by itself"
                                : cause == ExitCause::stopped ? "stopped by flotilla"
                                                              : "killed from outside flotilla"));
  if (context_->on_run_end && !context_->closed) {
    context_->on_run_end(
        RunEnd{service_.name, key_, endpoint().address, cause == ExitCause::crashed});
  }
  pid_ = 0;
  ++run_;  // ends this run's probes
  // Whatever the main process left in its group or cgroup goes with it (no orphans survive).
  signal_group(SIGKILL);
  if (cgroup_) {
    cgroup_->kill_all();
  }
  if (cgroup_ && !cgroup_->remove()) {
    auto timer = std::make_shared<asio::steady_timer>(context_->control, kCgroupCleanupDelay);
    timer->async_wait(
        [timer, cgroup = std::shared_ptr<InstanceCgroup>(std::move(cgroup_))](std::error_code) {});
  }
  cgroup_.reset();
  group_ = 0;
  finish_run(info, ran_for);
}

void Instance::finish_run(ExitInfo info, Clock::duration ran_for) {
  set_ready(false);
  last_exit_ = info;
  for (asio::steady_timer* waiter : exit_waiters_) waiter->cancel();
  if (stopping_ || context_->closed) {
    spdlog::info("{}: stopped ({})", key_, info.describe());
    state_ = InstanceState::stopped;
    return;
  }
  if (on_change_) on_change_();  // a run that ended by itself: a rollout wants to know
  const bool failed = info.code != 0 || info.signal != 0 || killed_by_probe_;
  if (info.oom) {
    spdlog::error("{}: {} after {} ms", key_, info.describe(), ms(ran_for).count());
  } else if (failed) {
    spdlog::warn("{}: exited: {} after {} ms", key_, info.describe(), ms(ran_for).count());
  } else {
    spdlog::info("{}: exited: {} after {} ms", key_, info.describe(), ms(ran_for).count());
  }
  if (!should_restart(service_.restart.policy, failed)) {
    state_ = InstanceState::exited;
    spdlog::warn("{}: not restarting (restart policy)", key_);
    note_after_output("not restarting (restart policy)");
    return;
  }
  const config::Duration delay = backoff_.next_delay(ms(ran_for));
  state_ = backoff_.crash_looping() ? InstanceState::crash_loop : InstanceState::backoff;
  next_restart_at_ = Clock::now() + delay;
  const std::string loop =
      backoff_.crash_looping()
          ? fmt::format(" (crash loop: {} failed runs in a row)", backoff_.consecutive_failures())
          : std::string();
  spdlog::info("{}: restarting in {} ms{}", key_, delay.count(), loop);
  note_after_output(
      fmt::format("restarting in {} ms{}", delay.count(), loop.empty() ? " (back-off)" : loop));
  restart_timer_.expires_after(delay);
  restart_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    if (ec || self->stopping_ || self->context_->closed) return;
    ++self->restarts_;
    spdlog::info("{}: restart #{}", self->key_, self->restarts_);
    self->spawn();
  });
}

void Instance::note(std::string_view text) {
  log_->write(
      fmt::format("{} flotilla: {}\n", format_log_time(std::chrono::system_clock::now()), text));
}

void Instance::note_after_output(std::string_view text) {
  if (output_ && output_->draining) {
    output_->deferred +=
        fmt::format("{} flotilla: {}\n", format_log_time(std::chrono::system_clock::now()), text);
    return;
  }
  note(text);
}

void Instance::set_ready(bool ready) {
  probe_ready_ = ready;
  // Readiness passes, but a drained, failing-liveness or frozen instance stays out.
  if (ready && (drained_ || liveness_failing_ || frozen_)) return;
  if (ready_ == ready) return;
  ready_ = ready;
  if (ready) {
    state_ = InstanceState::ready;
    ever_available_ = true;
    last_probe_failure_.clear();
  } else if (state_ == InstanceState::ready) {
    state_ = InstanceState::running;
  }
  if (!context_->closed && on_change_) on_change_();
}

void Instance::drain() {
  if (drained_) return;
  drained_ = true;
  spdlog::info("{}: drained: out of rotation, left running", key_);
  const bool probe_ready = probe_ready_;
  set_ready(false);
  probe_ready_ = probe_ready;  // leaving rotation is not a readiness result
}

void Instance::hold_out(bool& flag, bool on, std::string_view why) {
  if (flag == on) return;
  flag = on;
  const bool probe_ready = probe_ready_;
  if (on) {
    if (ready_) spdlog::warn("{}: out of rotation at once: {}", key_, why);
    last_probe_failure_ = std::string(why);
    set_ready(false);
    probe_ready_ = probe_ready;
    return;
  }
  spdlog::info("{}: {}", key_, why);
  if (probe_ready_) set_ready(true);
}

void Instance::undrain() {
  if (!drained_) return;
  drained_ = false;
  spdlog::info("{}: undrained: back in rotation{}", key_,
               probe_ready_ ? "" : " once its readiness probe passes");
  if (probe_ready_) set_ready(true);
}

bool Instance::available() const {
  if (drained_ || stopping_ || pid_ == 0) return false;
  if (port_) return ready_;
  return state_ == InstanceState::running;
}

std::string Instance::not_ready_reason() const {
  if (pid_ == 0 && last_exit_) return last_exit_->describe();
  if (!last_probe_failure_.empty()) return last_probe_failure_;
  if (state_ == InstanceState::starting) return "still starting";
  return fmt::format("state {}", to_string(state_));
}

void Instance::signal_group(int signal) const {
  if (group_ > 0 && ::kill(-group_, signal) != 0 && errno != ESRCH) {
    spdlog::warn("{}: kill(-{}, {}): {}", key_, group_, signal, std::strerror(errno));
  }
}

void Instance::kill_now() {
  stopping_ = true;
  restart_timer_.cancel();
  signal_group(SIGKILL);
  if (cgroup_) cgroup_->kill_all();
}

asio::awaitable<bool> Instance::wait_for_exit(std::uint64_t run, Clock::duration timeout) {
  if (!alive(run)) co_return true;
  asio::steady_timer timer(context_->control, timeout);
  exit_waiters_.push_back(&timer);
  co_await timer.async_wait(net::use_nothrow);
  std::erase(exit_waiters_, &timer);
  co_return !alive(run);
}

asio::awaitable<void> Instance::stop() {
  // Not a coroutine itself: the instance leaves rotation and stopping() holds from the call on,
  // not from the coroutine's first resume.
  const bool was_ready = ready_;
  stopping_ = true;
  restart_timer_.cancel();
  set_ready(false);
  if (pid_ > 0) state_ = InstanceState::stopping;
  return stop_run(was_ready);
}

asio::awaitable<void> Instance::stop_run(bool was_ready) {
  auto self = shared_from_this();  // keeps the instance alive across the waits
  if (pid_ == 0) {
    state_ = InstanceState::stopped;
    co_return;
  }
  const std::uint64_t run = run_;
  if (was_ready && context_->drain.count() > 0) {
    asio::steady_timer drain(context_->control, context_->drain);
    co_await drain.async_wait(net::use_nothrow);
    if (!alive(run)) co_return;
  }
  state_ = InstanceState::stopping;
  spdlog::info("{}: stopping pid {} (signal {}, grace {} ms)", key_, pid_, service_.stop.signal,
               service_.stop.grace.count());
  note(fmt::format("stopping pid {} (signal {}, grace {} ms)", pid_, service_.stop.signal,
                   service_.stop.grace.count()));
  signal_group(service_.stop.signal);
  const bool gone = co_await wait_for_exit(run, service_.stop.grace);
  if (gone) co_return;
  spdlog::warn("{}: still running {} ms after signal {}: SIGKILL", key_,
               service_.stop.grace.count(), service_.stop.signal);
  signal_group(SIGKILL);
  if (cgroup_) cgroup_->kill_all();
  const bool exited = co_await wait_for_exit(run, kKillWait);
  if (!exited) {
    spdlog::error("{}: pid {} did not exit after SIGKILL", key_, pid_);
  }
}

InstanceStatus Instance::status() const {
  InstanceStatus s;
  s.service = service_.name;
  s.index = index_;
  s.key = key_;
  s.revision = revision_;
  s.state = state_;
  const bool up = state_ == InstanceState::starting || state_ == InstanceState::running ||
                  state_ == InstanceState::ready;
  if (drained_ && up && !stopping_) s.state = InstanceState::drained;
  s.drained = drained_;
  s.probe_failure = last_probe_failure_;
  s.pid = pid_;
  s.port = port_;
  s.ready = ready_;
  s.restarts = restarts_;
  s.consecutive_failures = backoff_.consecutive_failures();
  s.last_exit = last_exit_;
  s.limits = limits_;
  if (memory_limited_) s.memory_limit_bytes = service_.resources.memory_bytes;
  const Clock::time_point now = Clock::now();
  if (pid_ > 0) {
    s.uptime = ms(now - started_at_);
    // The cgroup covers the whole group (workers, children); /proc only the main process.
    const std::optional<ProcessUsage> usage = read_process_usage(pid_);
    if (usage) {
      s.cpu_seconds = usage->cpu_seconds;
      s.memory_bytes = usage->memory_bytes;
    }
    if (cgroup_) {
      if (const std::optional<double> cpu = cgroup_->cpu_seconds()) s.cpu_seconds = *cpu;
      if (const std::optional<std::uint64_t> memory = cgroup_->memory_bytes()) {
        s.memory_bytes = *memory;
      }
    }
  }
  if ((state_ == InstanceState::backoff || state_ == InstanceState::crash_loop) &&
      next_restart_at_ > now) {
    s.next_restart_in = ms(next_restart_at_ - now);
  }
  return s;
}

}  // namespace flotilla::supervisor
