#include "gateway/proxy/crash_verdict.hpp"

#include <unordered_map>

#include "gateway/proxy/exchange.hpp"
#include "gateway/worker.hpp"

namespace flotilla::gateway {
namespace {

struct CrashWait {
  explicit CrashWait(const net::Executor& executor) : timer(executor) {}
  net::Timer timer;
  std::optional<CrashAnswer> answer;
};

// This worker thread's reporter and the attempts waiting for an answer.
struct ThreadCrashState {
  CrashReporter reporter;
  std::unordered_map<std::uint64_t, CrashWait*> waits;
  std::uint64_t next_token = 1;
};
thread_local ThreadCrashState t_crash;

// Supervised instances are the endpoints the snapshot builder names by instance ("web/2") and
// reaches at their own address; a `servers:` entry is named by its address.
bool supervised_instance(const Exchange& exchange) {
  const upstream::UpstreamState& state = exchange.upstream.state;
  if (exchange.endpoint_index >= state.size()) return false;
  const upstream::EndpointSpec& spec = state.endpoint(exchange.endpoint_index);
  return spec.key != spec.address;
}

}  // namespace

void install_thread_crash_reporter(CrashReporter reporter) {
  t_crash.reporter = std::move(reporter);
}

void answer_thread_crash_wait(std::uint64_t token, const CrashAnswer& answer) {
  const auto it = t_crash.waits.find(token);
  if (it == t_crash.waits.end()) return;  // it stopped waiting
  it->second->answer = answer;
  it->second->timer.cancel();
}

InstanceCrash instance_crash(const std::optional<CrashAnswer>& answer) noexcept {
  if (!answer || !answer->crashed) return InstanceCrash::none;
  return answer->broken <= 1 ? InstanceCrash::alone : InstanceCrash::beside_others;
}

net::Awaitable<InstanceCrash> await_crash_verdict(Exchange& exchange) {
  if (!t_crash.reporter || !exchange.endpoint || !exchange.endpoint->address().is_v4() ||
      !supervised_instance(exchange)) {
    co_return InstanceCrash::none;
  }
  const std::uint64_t endpoint = CrashLedger::endpoint_key(
      exchange.endpoint->address().to_v4().to_uint(), exchange.endpoint->port());
  CrashWait wait(exchange.ctx.worker.context().get_executor());
  wait.timer.expires_after(kCrashVerdictWait);
  const std::uint64_t token = t_crash.next_token++;
  t_crash.waits.emplace(token, &wait);
  t_crash.reporter(endpoint, token, exchange.suspect);
  co_await wait.timer.async_wait(net::use_nothrow_io);
  t_crash.waits.erase(token);
  co_return instance_crash(wait.answer);
}

}  // namespace flotilla::gateway
