// The control thread's side of the query-of-death rule: workers report each request whose
// connection to a supervised instance broke, the supervisor reports how each run ended, and the
// ledger answers every report with the verdict — did that instance crash by itself, and how many
// requests did it hold. It also keeps the rule's counters per service. Control thread only;
// answers reach workers through `answer` (a post). Time is read, never waited on but by a timer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <asio/any_io_executor.hpp>

namespace flotilla::gateway {

// The supervisor's verdict on one broken request's instance.
struct CrashAnswer {
  bool crashed = false;      // the run ended by itself (exit, fault signal, OOM kill)
  std::uint32_t broken = 0;  // requests that broke on it, this one included
};

// Per service: requests held by an instance that crashed by itself, and those of them refused
// (alone in the crash, or in their second one).
struct CrashCounts {
  std::uint64_t suspects = 0;
  std::uint64_t refused = 0;
};

class CrashLedger {
 public:
  using Clock = std::chrono::steady_clock;
  using Answer = std::function<void(std::uint32_t worker, std::uint64_t token, CrashAnswer)>;

  // A crash's broken connections reach the workers within microseconds of each other and of
  // the exit; their reports are counted for this long after the exit before the verdict goes.
  static constexpr std::chrono::milliseconds kSettle{100};
  // A report and a run end on the same endpoint belong together when this close in time (the
  // endpoint's port is held by one run at a time; a restart takes longer than this to crash).
  static constexpr std::chrono::milliseconds kMatch{1000};

  CrashLedger(asio::any_io_executor control, Answer answer);
  ~CrashLedger();
  CrashLedger(const CrashLedger&) = delete;
  CrashLedger& operator=(const CrashLedger&) = delete;

  // A request on `worker` broke on `endpoint` (see endpoint_key); `suspect`: it broke in a crash
  // before. Its verdict goes to `answer(worker, token, ...)` once the run's end is known and
  // settled (at once when it already is); a report no run end follows gets no answer.
  void report(std::uint64_t endpoint, std::uint32_t worker, std::uint64_t token, bool suspect);
  // The supervisor's word on how the run serving `endpoint` ended.
  void run_ended(std::uint64_t endpoint, const std::string& service, bool crashed);
  // No more answers (the gateway is stopping); waiting workers time out on their own.
  void close();

  const std::map<std::string, CrashCounts>& counts() const noexcept { return counts_; }

  // "127.0.0.1:8002" → the key workers report (IPv4 address and port); 0 when not IPv4.
  static std::uint64_t endpoint_key(const std::string& address);
  static std::uint64_t endpoint_key(std::uint32_t ipv4, std::uint16_t port) noexcept {
    return (std::uint64_t{ipv4} << 16) | port;
  }

 private:
  struct Waiting {
    std::uint32_t worker;
    std::uint64_t token;
    bool suspect;
    Clock::time_point at;
  };
  struct Entry {
    std::vector<Waiting> waiting;  // reports without a run end yet (or before it settled)
    bool ended = false;            // a run end within kMatch
    Clock::time_point ended_at{};
    std::string service;
    bool crashed = false;
    bool settled = false;
    std::uint32_t broken = 0;
  };

  void settle(std::uint64_t endpoint);
  void send(const Entry& entry, const Waiting& waiting);
  void forget_old(Clock::time_point now);

  asio::any_io_executor control_;
  Answer answer_;
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::map<std::string, CrashCounts> counts_;
  bool closed_ = false;
  // Lets settle timers that fire after the ledger is gone do nothing.
  std::shared_ptr<CrashLedger*> self_;
};

}  // namespace flotilla::gateway
