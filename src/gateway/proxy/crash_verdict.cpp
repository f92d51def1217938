#include "gateway/proxy/crash_verdict.hpp"

#include <unordered_map>

#include <spdlog/spdlog.h>

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

std::chrono::microseconds suspect_replay_delay(upstream::Prng& rng) {
  const auto spread = std::chrono::duration_cast<std::chrono::microseconds>(kSuspectReplaySpread);
  return std::chrono::microseconds{
      static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(spread.count())))};
}

InstanceCrash instance_crash(const std::optional<CrashAnswer>& answer) noexcept {
  if (!answer || !answer->crashed) return InstanceCrash::none;
  return answer->broken <= 1 ? InstanceCrash::alone : InstanceCrash::beside_others;
}

std::uint64_t crash_endpoint_key(const WorkerUpstream& upstream, std::size_t index) {
  if (index >= upstream.state.size() || index >= upstream.addresses.size()) return 0;
  // Supervised instances are the endpoints the snapshot builder names by instance ("web/2") and
  // reaches at their own address; a `servers:` entry is named by its address.
  const upstream::EndpointSpec& spec = upstream.state.endpoint(index);
  const asio::ip::tcp::endpoint& address = upstream.addresses[index];
  if (spec.key == spec.address || !address.address().is_v4()) return 0;
  return CrashLedger::endpoint_key(address.address().to_v4().to_uint(), address.port());
}

net::Awaitable<InstanceCrash> await_crash_verdict(Exchange& exchange, std::uint64_t endpoint) {
  if (!t_crash.reporter || endpoint == 0) co_return InstanceCrash::none;
  CrashWait wait(exchange.ctx.worker.context().get_executor());
  wait.timer.expires_after(kCrashVerdictWait);
  const std::uint64_t token = t_crash.next_token++;
  t_crash.waits.emplace(token, &wait);
  t_crash.reporter(endpoint, token, exchange.suspect);
  co_await wait.timer.async_wait(net::use_nothrow_io);
  t_crash.waits.erase(token);
  if (!wait.answer) spdlog::debug("crash verdict for token {}: none in time", token);
  co_return instance_crash(wait.answer);
}

}  // namespace flotilla::gateway
