#include "gateway/crash_ledger.hpp"

#include <asio/ip/address.hpp>
#include <asio/steady_timer.hpp>

#include <charconv>

#include <spdlog/spdlog.h>

namespace flotilla::gateway {

CrashLedger::CrashLedger(asio::any_io_executor control, Answer answer)
    : control_(std::move(control)),
      answer_(std::move(answer)),
      self_(std::make_shared<CrashLedger*>(this)) {}

CrashLedger::~CrashLedger() = default;

std::uint64_t CrashLedger::endpoint_key(const std::string& address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return 0;
  std::error_code ec;
  const asio::ip::address ip = asio::ip::make_address(address.substr(0, colon), ec);
  if (ec || !ip.is_v4()) return 0;
  std::uint16_t port = 0;
  const char* begin = address.data() + colon + 1;
  const char* end = address.data() + address.size();
  if (std::from_chars(begin, end, port).ptr != end) return 0;
  return endpoint_key(ip.to_v4().to_uint(), port);
}

void CrashLedger::report(std::uint64_t endpoint, std::uint32_t worker, std::uint64_t token,
                         bool suspect) {
  if (closed_ || endpoint == 0) return;
  const Clock::time_point now = Clock::now();
  forget_old(now);
  Entry& entry = entries_[endpoint];
  const Waiting waiting{worker, token, suspect, now};
  spdlog::debug("crash report for {} from worker {} (token {}{})", endpoint, worker, token,
                suspect ? ", a suspect" : "");
  if (entry.ended && entry.settled) {
    // A late report: the verdict is known; the count includes this request and all before it.
    ++entry.broken;
    send(entry, waiting);
    return;
  }
  if (entry.ended) ++entry.broken;
  entry.waiting.push_back(waiting);
}

void CrashLedger::run_ended(std::uint64_t endpoint, const std::string& service, bool crashed) {
  if (closed_ || endpoint == 0) return;
  const Clock::time_point now = Clock::now();
  forget_old(now);
  Entry& entry = entries_[endpoint];
  // A new run's end: what an earlier run left is forgotten, reports still waiting are its own.
  entry.ended = true;
  entry.ended_at = now;
  entry.service = service;
  entry.crashed = crashed;
  entry.settled = false;
  entry.broken = static_cast<std::uint32_t>(entry.waiting.size());
  spdlog::debug("run end for {} ({}): {}", endpoint, service, crashed ? "crashed" : "not crashed");
  if (!crashed) {
    settle(endpoint);  // nothing to count: every request on it is retried as usual
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(control_, kSettle);
  timer->async_wait([timer, self = std::weak_ptr<CrashLedger*>(self_), endpoint](std::error_code) {
    if (const auto alive = self.lock()) (*alive)->settle(endpoint);
  });
}

void CrashLedger::settle(std::uint64_t endpoint) {
  if (closed_) return;
  const auto it = entries_.find(endpoint);
  if (it == entries_.end() || !it->second.ended || it->second.settled) return;
  Entry& entry = it->second;
  entry.settled = true;
  spdlog::debug("crash verdict for {} ({}): {}, {} request(s) broke on it", endpoint, entry.service,
                entry.crashed ? "crashed by itself" : "did not crash", entry.broken);
  const std::vector<Waiting> waiting = std::move(entry.waiting);
  entry.waiting.clear();
  for (const Waiting& w : waiting) send(entry, w);
}

void CrashLedger::send(const Entry& entry, const Waiting& waiting) {
  if (entry.crashed) {
    CrashCounts& counts = counts_[entry.service];
    ++counts.suspects;
    // decide()'s rule, counted here where the verdict is made: alone, or its second crash.
    if (entry.broken <= 1 || waiting.suspect) ++counts.refused;
  }
  answer_(waiting.worker, waiting.token, CrashAnswer{entry.crashed, entry.broken});
}

void CrashLedger::close() {
  closed_ = true;
  entries_.clear();
}

void CrashLedger::forget_old(Clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& entry = it->second;
    // Reports nobody's run end followed: their workers stopped waiting long ago.
    std::erase_if(entry.waiting, [&](const Waiting& w) { return now - w.at > kMatch; });
    if (entry.ended && now - entry.ended_at > kMatch && entry.settled) {
      entry.ended = false;
      entry.broken = 0;
    }
    it = (!entry.ended && entry.waiting.empty()) ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace flotilla::gateway
