// Names and descriptions for the status types; nothing else.
#include "supervisor/instance_status.hpp"

#include <cstring>

#include <fmt/format.h>

namespace flotilla::supervisor {

std::string_view to_string(InstanceState state) {
  switch (state) {
    case InstanceState::starting:
      return "starting";
    case InstanceState::running:
      return "running";
    case InstanceState::ready:
      return "ready";
    case InstanceState::stopping:
      return "stopping";
    case InstanceState::backoff:
      return "backoff";
    case InstanceState::crash_loop:
      return "crash_loop";
    case InstanceState::exited:
      return "exited";
    case InstanceState::stopped:
      return "stopped";
    case InstanceState::drained:
      return "drained";
  }
  return "unknown";
}

std::string ExitInfo::describe() const {
  if (oom) return fmt::format("killed by the OOM killer (memory limit; signal {})", signal);
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, ::strsignal(signal));
  return fmt::format("exit code {}", code);
}

}  // namespace flotilla::supervisor
