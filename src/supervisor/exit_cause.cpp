#include "supervisor/exit_cause.hpp"

#include <csignal>

namespace flotilla::supervisor {

std::string_view to_string(ExitCause cause) noexcept {
  switch (cause) {
    case ExitCause::stopped:
      return "stopped";
    case ExitCause::killed:
      return "killed";
    case ExitCause::crashed:
      return "crashed";
  }
  return "unknown";
}

bool is_fault_signal(int signal) noexcept {
  switch (signal) {
    case SIGSEGV:
    case SIGABRT:
    case SIGBUS:
    case SIGILL:
    case SIGFPE:
    case SIGSYS:
    case SIGTRAP:
      return true;
    default:
      return false;
  }
}

ExitCause classify_exit(const ExitInfo& exit, bool stopping, bool killed_by_probe) noexcept {
  if (stopping || killed_by_probe) return ExitCause::stopped;
  // The OOM killer's SIGKILL comes from the kernel because of what the process did itself.
  if (exit.oom) return ExitCause::crashed;
  if (exit.signal == 0) return ExitCause::crashed;  // it exited on its own, whatever the code
  return is_fault_signal(exit.signal) ? ExitCause::crashed : ExitCause::killed;
}

}  // namespace flotilla::supervisor
