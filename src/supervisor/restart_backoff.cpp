// Back-off arithmetic for restarts (see restart_backoff.hpp).
#include "supervisor/restart_backoff.hpp"

#include <algorithm>

namespace flotilla::supervisor {

config::Duration RestartBackoff::next_delay(config::Duration ran_for) {
  if (ran_for >= config_.reset_after) {
    current_ = config::Duration{0};
    consecutive_ = 0;
  }
  ++consecutive_;
  if (current_.count() == 0) {
    current_ = config_.delay;
  } else {
    current_ = std::min(current_ * 2, std::max(config_.max_delay, config_.delay));
  }
  return current_;
}

bool should_restart(config::RestartPolicy policy, bool failed) {
  switch (policy) {
    case config::RestartPolicy::always:
      return true;
    case config::RestartPolicy::on_failure:
      return failed;
    case config::RestartPolicy::never:
      return false;
  }
  return false;
}

}  // namespace flotilla::supervisor
