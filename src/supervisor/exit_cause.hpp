// Who ended an instance's run: flotilla itself (a stop, a rollout, a failed liveness probe),
// someone outside (SIGKILL/SIGTERM from an operator), or the process on its own (an exit, a
// fatal signal, the OOM killer). A pure function of the exit; the gateway's query-of-death rule
// and the instance's log stream both read it. No I/O.
#pragma once

#include <string>
#include <string_view>

#include "supervisor/instance_status.hpp"

namespace flotilla::supervisor {

enum class ExitCause {
  stopped,  // flotilla ended it: a stop, scale-down, rollout, or a liveness-probe kill
  killed,   // a signal from outside (SIGKILL without OOM, SIGTERM, SIGINT, SIGHUP, ...)
  crashed,  // by itself: exited on its own, SEGV/ABRT/BUS/ILL/FPE/SYS/TRAP, or OOM-killed
};

std::string_view to_string(ExitCause cause) noexcept;

// `stopping`: flotilla had sent its stop signal; `killed_by_probe`: the liveness probe did.
ExitCause classify_exit(const ExitInfo& exit, bool stopping, bool killed_by_probe) noexcept;

// How one run of an instance ended, as told to whoever listens (the gateway's query-of-death
// rule). The address identifies the run: only one run holds an instance's port at a time.
struct RunEnd {
  std::string service;   // "web"
  std::string key;       // "web/2"
  std::string address;   // "127.0.0.1:8002"; empty for a worker (no port)
  bool crashed = false;  // ExitCause::crashed
};

// The signals a process dies of by itself (a fault, an abort), as opposed to being sent one.
bool is_fault_signal(int signal) noexcept;

}  // namespace flotilla::supervisor
