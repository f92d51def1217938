// The data plane's side of the query-of-death rule: an attempt whose connection to a supervised
// instance broke after the request went out reports itself to the control thread's CrashLedger
// and waits briefly for the supervisor's verdict — did the instance crash by itself, and was
// this the only request it held. Per worker thread (thread-locals installed by posts, as the
// TLS ticket keys are): no locks, nothing shared. Never blocks; no verdict in time means none.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include "gateway/crash_ledger.hpp"
#include "gateway/proxy/retry_decision.hpp"
#include "net/async.hpp"
#include "upstream/prng.hpp"

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

// How long a suspect caught beside others waits before its one replay: uniform in
// [0, kSuspectReplaySpread). The verdict reaches every request of a crash at the same moment;
// replayed together, an innocent request would often be in flight on the same next instance when
// the poisonous one crashes it too (and then be refused as a suspect in its second crash).
inline constexpr std::chrono::milliseconds kSuspectReplaySpread{250};
std::chrono::microseconds suspect_replay_delay(upstream::Prng& rng);

// The verdict as decide() takes it.
InstanceCrash instance_crash(const std::optional<CrashAnswer>& answer) noexcept;

// What a crash report names: the endpoint `index` of `upstream` as the ledger knows it (IPv4
// address and port), or 0 when it is not a supervised instance (a `servers:` entry). Take it
// when the endpoint is chosen: a snapshot installed during the attempt may renumber them.
struct WorkerUpstream;
std::uint64_t crash_endpoint_key(const WorkerUpstream& upstream, std::size_t index);

// The verdict on the instance `endpoint_key` names: none at once for 0 or when the rule is not
// enabled on this thread.
net::Awaitable<InstanceCrash> await_crash_verdict(Exchange& exchange, std::uint64_t endpoint_key);

}  // namespace flotilla::gateway
