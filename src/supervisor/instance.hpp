// One replica of one service across its runs: spawn → startup probe → readiness/liveness →
// exit → restart with back-off, and the graceful stop (leave rotation → drain → stop.signal →
// grace → SIGKILL of the group). Lives on the control thread only; every asynchronous step holds
// a shared_ptr to it, and a run counter makes a step of an earlier run do nothing.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "config/spec.hpp"
#include "supervisor/cgroup_limits.hpp"
#include "supervisor/exit_cause.hpp"
#include "supervisor/instance_status.hpp"
#include "supervisor/log_sink.hpp"
#include "supervisor/probes/probe.hpp"
#include "supervisor/reaper.hpp"
#include "supervisor/restart_backoff.hpp"

namespace flotilla::supervisor {

// What every instance of one Supervisor shares. Held through shared_ptr by each instance so that
// a late handler never sees it destroyed; `closed` tells such a handler to do nothing.
struct SupervisorContext {
  explicit SupervisorContext(asio::io_context& io) : control(io), reaper(io) {}
  asio::io_context& control;
  Reaper reaper;
  CgroupRoot cgroups;
  std::filesystem::path log_dir;
  std::vector<std::string> environment;  // flotilla's own, "K=V"
  config::Duration drain{1000};          // between leaving rotation and the stop signal
  bool closed = false;
  std::uint64_t next_serial = 1;  // names each instance's cgroups uniquely across its lifetime
  // Told every time a run ends (after its exit was decoded, before any restart is planned).
  std::function<void(const RunEnd&)> on_run_end;
};

class Instance : public std::enable_shared_from_this<Instance> {
 public:
  using Clock = std::chrono::steady_clock;

  // `on_change` runs (on the control thread) each time ready() flips and each time a run ends.
  // `port` is the instance's own (allocated by the supervisor from the service's range; none for
  // a worker); `revision` is what FLOTILLA_REVISION says.
  Instance(std::shared_ptr<SupervisorContext> context, const config::Service& service,
           std::uint32_t index, std::optional<std::uint16_t> port, std::uint32_t revision,
           std::function<void()> on_change);
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  void start();
  // Graceful stop; no restart afterwards. Completes when the process group is gone (or could not
  // be killed within the bounds, which is logged). stopping() is true from the call on.
  asio::awaitable<void> stop();
  // Out of rotation for good (readiness results are ignored from now on) but left running, as
  // HAProxy's "drain" state: in-flight requests finish, no new ones come. Survives restarts of
  // the process; only a stop ends it.
  void drain();
  // Back into rotation after drain(): ready again as soon as its readiness says so (at once
  // when the last readiness result passed).
  void undrain();
  // Last resort when the supervisor goes away without stop(): SIGKILL the group now.
  void kill_now();

  bool ready() const { return ready_; }
  InstanceEndpoint endpoint() const;
  InstanceStatus status() const;
  const std::string& key() const { return key_; }
  std::uint32_t index() const { return index_; }
  std::optional<std::uint16_t> port() const { return port_; }
  std::uint32_t revision() const { return revision_; }
  bool stopping() const { return stopping_; }
  bool drained() const { return drained_; }
  // Counts toward the service's strength: in rotation, or (a worker) started and past its
  // startup probe.
  bool available() const;
  bool ever_available() const { return ever_available_; }
  bool has_exited() const { return last_exit_.has_value(); }  // some run of it ended
  const std::optional<ExitInfo>& last_exit() const { return last_exit_; }
  Clock::time_point created_at() const { return created_at_; }
  // Why it is not available yet, for rollout messages ("readiness probe failed: status 503").
  std::string not_ready_reason() const;

 private:
  void spawn();
  void on_exit(std::uint64_t run, int wait_status);
  void finish_run(ExitInfo info, Clock::duration ran_for);
  void set_ready(bool ready);
  void signal_group(int signal) const;
  bool alive(std::uint64_t run) const { return run == run_ && pid_ > 0; }
  asio::awaitable<bool> wait_for_exit(std::uint64_t run, Clock::duration timeout);
  asio::awaitable<void> probe_run(std::uint64_t run);
  asio::awaitable<bool> startup_run(std::uint64_t run);  // true: passed
  asio::awaitable<void> readiness_run(std::uint64_t run);
  asio::awaitable<bool> port_accepts(std::uint64_t run);  // the implicit readiness check
  asio::awaitable<void> liveness_run(std::uint64_t run);
  // Every kFreezeCheck: a stopped process (SIGSTOP), or one whose CPU time has not moved while a
  // probe waited on it for kFreezeWait, is out of rotation until it moves again.
  asio::awaitable<void> freeze_watch(std::uint64_t run);
  // Takes the instance out of rotation at once (a liveness failure, a freeze) or lets it back
  // when nothing holds it out and readiness passes; `probe_ready_` is not a readiness result.
  void hold_out(bool& flag, bool on, std::string_view why);
  void probe_check_started();
  void probe_check_ended() { probe_waiting_since_ = {}; }
  asio::awaitable<void> kill_for_restart(std::uint64_t run, std::string reason);
  asio::awaitable<void> stop_run(bool was_ready);
  std::vector<std::string> environment() const;
  std::vector<std::string> expanded_argv(const std::vector<std::string>& argv) const;
  ProbeTarget make_target(const config::Probe& probe) const;
  // A "flotilla: ..." line in the instance's own log stream (time-stamped like the app's lines),
  // so `flotilla logs` tells each run's story. note_after_output() waits for the run's output to
  // be drained first (an exit line comes after the app's last words).
  void note(std::string_view text);
  void note_after_output(std::string_view text);

  std::shared_ptr<SupervisorContext> context_;
  config::Service service_;
  std::uint32_t index_;
  std::string key_;
  std::optional<std::uint16_t> port_;
  std::uint32_t revision_;
  std::uint64_t serial_;
  std::function<void()> on_change_;
  std::shared_ptr<RotatingFile> log_;
  // The current run's output pump: while it drains, notes for after the output wait here.
  struct RunOutput {
    bool draining = true;
    std::string deferred;
  };
  std::shared_ptr<RunOutput> output_;
  RestartBackoff backoff_;
  asio::steady_timer restart_timer_;
  std::vector<asio::steady_timer*> exit_waiters_;  // woken by on_exit

  std::uint64_t run_ = 0;  // bumped at each spawn and each exit
  pid_t pid_ = 0;          // also the process group id while > 0
  pid_t group_ = 0;        // the last run's process group, for killing leftovers
  std::unique_ptr<InstanceCgroup> cgroup_;
  std::string limits_;  // how resources are enforced, for status
  bool memory_limited_ = false;
  InstanceState state_ = InstanceState::starting;
  bool ready_ = false;
  bool stopping_ = false;
  bool killed_by_probe_ = false;
  bool drained_ = false;
  bool probe_ready_ = false;       // what readiness last said, drained or not (for undrain)
  bool liveness_failing_ = false;  // its last liveness check failed: out of rotation
  bool frozen_ = false;            // no progress (stopped, or no CPU while a probe waits)
  Clock::time_point probe_waiting_since_{};  // a probe check in flight since; epoch: none
  std::uint64_t probe_ticks_at_start_ = 0;   // the process's CPU ticks when it was sent
  bool ever_available_ = false;
  std::string last_probe_failure_;  // "readiness probe: status 503"; cleared when ready
  Clock::time_point created_at_ = Clock::now();
  Clock::time_point started_at_{};
  Clock::time_point next_restart_at_{};
  std::uint32_t restarts_ = 0;
  std::optional<ExitInfo> last_exit_;
};

}  // namespace flotilla::supervisor
