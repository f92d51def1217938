// The exec probe: runs a command (own process group, output discarded) and succeeds on exit 0
// within the timeout; on timeout its group is SIGKILLed and the check fails. The exit comes from
// the Reaper, so this never calls wait*() itself.
#include <sys/wait.h>

#include <csignal>

#include <fmt/format.h>
#include <asio/steady_timer.hpp>

#include "net/async.hpp"
#include "supervisor/probes/probe.hpp"
#include "supervisor/reaper.hpp"
#include "supervisor/spawn.hpp"

namespace flotilla::supervisor {
namespace {

// Shared with the reaper's callback, which may run after the check gave up (timeout).
struct PendingExit {
  explicit PendingExit(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  bool exited = false;
  int status = 0;
};

class ExecProbe final : public ProbeCheck {
 public:
  explicit ExecProbe(ProbeTarget target) : target_(std::move(target)) {}

  asio::awaitable<ProbeResult> run() override {
    if (target_.reaper == nullptr) co_return ProbeResult{false, "no reaper"};
    SpawnRequest request;
    request.argv = target_.argv;
    request.env = target_.env;
    request.cwd = target_.cwd;
    const SpawnResult spawned = spawn_process(request);
    auto pending = std::make_shared<PendingExit>(target_.executor);
    if (spawned.pid > 0) {
      target_.reaper->watch(spawned.pid, [pending](int status) {
        pending->exited = true;
        pending->status = status;
        pending->timer.cancel();
      });
    }
    if (!spawned.error.empty()) co_return ProbeResult{false, spawned.error};

    pending->timer.expires_after(target_.timeout);
    co_await pending->timer.async_wait(net::use_nothrow);
    if (!pending->exited) {
      ::kill(-spawned.pid, SIGKILL);  // reaped later by the Reaper; `pending` stays alive for it
      co_return ProbeResult{false, fmt::format("timeout after {} ms", target_.timeout.count())};
    }
    const int status = pending->status;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) co_return ProbeResult{true, "exit code 0"};
    if (WIFSIGNALED(status))
      co_return ProbeResult{false, fmt::format("signal {}", WTERMSIG(status))};
    co_return ProbeResult{false, fmt::format("exit code {}", WEXITSTATUS(status))};
  }

 private:
  ProbeTarget target_;
};

}  // namespace

std::unique_ptr<ProbeCheck> make_exec_probe(ProbeTarget target) {
  return std::make_unique<ExecProbe>(std::move(target));
}

}  // namespace flotilla::supervisor
