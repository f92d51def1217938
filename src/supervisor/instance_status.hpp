// What the supervisor reports about its instances: plain data for `flotilla status`, metrics and
// the gateway's endpoint lists. Data only — no behaviour, no I/O.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla::supervisor {

// One routable instance: what the gateway puts in an upstream's endpoint list.
struct InstanceEndpoint {
  std::string key;      // "web/2"
  std::string address;  // "127.0.0.1:8002"
  friend bool operator==(const InstanceEndpoint&, const InstanceEndpoint&) = default;
};

enum class InstanceState {
  starting,    // spawned; the startup probe (or the implicit port check) has not passed yet
  running,     // started; not in rotation (readiness failing, or a worker without ports)
  ready,       // in rotation
  stopping,    // stop signal sent, waiting for the exit
  backoff,     // exited; waiting out the restart delay
  crash_loop,  // backoff after several failed runs in a row (Kubernetes' CrashLoopBackOff)
  exited,      // exited and the restart policy says stay down
  stopped,     // stopped on request
  drained,     // running, out of rotation on request (`flotilla drain`) until a stop/rollout
};

// Every state, in declaration order (metrics list them all, one series each).
inline constexpr std::array kInstanceStates = {
    InstanceState::starting, InstanceState::running, InstanceState::ready,
    InstanceState::stopping, InstanceState::backoff, InstanceState::crash_loop,
    InstanceState::exited,   InstanceState::stopped, InstanceState::drained,
};

std::string_view to_string(InstanceState state);

// How the last run ended.
struct ExitInfo {
  int code = -1;                 // exit status, or -1 when killed by a signal
  int signal = 0;                // the killing signal, or 0
  bool oom = false;              // the cgroup's own OOM killer fired (memory.oom_control oom_kill)
  std::string describe() const;  // "exit code 3", "signal 9 (Killed)", "killed by OOM (signal 9)"
};

struct InstanceStatus {
  std::string service;
  std::uint32_t index = 0;
  std::string key;             // "web/2"
  std::uint32_t revision = 0;  // the revision it runs (FLOTILLA_REVISION)
  InstanceState state = InstanceState::starting;
  bool drained = false;       // state says drained unless it is also stopping / in backoff
  std::string probe_failure;  // the last failed probe since it was last ready, "" if none
  int pid = 0;                // 0 when not running
  std::optional<std::uint16_t> port;
  bool ready = false;
  std::chrono::milliseconds uptime{0};  // of the current run
  std::uint32_t restarts = 0;
  std::uint32_t consecutive_failures = 0;
  std::chrono::milliseconds next_restart_in{0};  // in backoff / crash_loop
  std::optional<ExitInfo> last_exit;
  double cpu_seconds = 0;          // of the current run: cgroup cpuacct.usage or /proc/PID/stat
  std::uint64_t memory_bytes = 0;  // cgroup memory.usage_in_bytes or RSS from /proc
  std::optional<std::uint64_t> memory_limit_bytes;
  std::string limits;  // how resources are enforced: "cgroup v1", "rlimit", "none"
};

}  // namespace flotilla::supervisor
