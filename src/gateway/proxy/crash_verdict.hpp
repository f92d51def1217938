// The data plane's side of the query-of-death rule: an attempt whose connection to a supervised
// instance broke after the request went out reports itself to the control thread's CrashLedger
// and waits briefly for the supervisor's verdict — did the instance crash by itself, and was
// this the only request it held. Per worker thread (thread-locals installed by posts, as the
// TLS ticket keys are): no locks, nothing shared. Never blocks; no verdict in time means none.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "gateway/crash_ledger.hpp"
#include "gateway/proxy/retry_decision.hpp"
#include "net/async.hpp"

namespace flotilla::gateway {

struct Exchange;

// The longest an attempt waits for the verdict. The reaper hears of an exit at once (pidfd)
// and the ledger settles CrashLedger::kSettle later; past this the request goes on as if the
// instance had been killed from outside (retried as usual).
inline constexpr std::chrono::milliseconds kCrashVerdictWait{600};

// Where this worker thread's reports go: (endpoint key, token, already a suspect) → the ledger.
using CrashReporter = std::function<void(std::uint64_t endpoint, std::uint64_t token, bool)>;

// On a worker thread (posted by the gateway before it starts): enables the rule there.
void install_thread_crash_reporter(CrashReporter reporter);
// On a worker thread (posted by the ledger's answer): wakes the attempt waiting with `token`.
void answer_thread_crash_wait(std::uint64_t token, const CrashAnswer& answer);

// The verdict as decide() takes it.
InstanceCrash instance_crash(const std::optional<CrashAnswer>& answer) noexcept;

// The verdict on the instance behind the exchange's current endpoint: none at once when it is
// a `servers:` endpoint or the rule is not enabled on this thread.
net::Awaitable<InstanceCrash> await_crash_verdict(Exchange& exchange);

}  // namespace flotilla::gateway
