// The HTTP/2 codec's limits and flood budgets: the SETTINGS flotilla advertises, the flow-control
// windows, and the token buckets that turn a flood of cheap frames into a GOAWAY. Types and pure
// arithmetic only; never touches a session or a clock of its own (the caller passes the time).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace flotilla::gateway::h2 {

// How many seconds' worth of its rate each flood budget may spend at once.
constexpr std::uint32_t kResetBurstSeconds = 4;
constexpr std::uint32_t kFrameBurstSeconds = 5;  // PING, SETTINGS, empty DATA
constexpr std::uint32_t kWindowUpdateBurstSeconds = 10;

// Defaults here are the defaults of `listen[].http2` (config/spec.hpp's Http2Settings), which
// the snapshot builder copies in.
struct Limits {
  std::uint32_t max_concurrent_streams = 128;
  std::uint32_t initial_window = 64 * 1024;        // per stream: the receive buffer's size
  std::uint32_t connection_window = 1024 * 1024;   // all streams' unconsumed bytes together
  std::uint32_t header_table_size = 4096;          // HPACK dynamic table (RFC 7541 default)
  std::uint32_t max_frame_size = 16 * 1024;        // the RFC's minimum: no huge frames to buffer
  std::uint32_t max_header_list = 16 * 1024;       // max_request_line + max_header_bytes
  std::chrono::milliseconds idle_timeout{75'000};  // no stream open (the listener's keepalive)
  std::size_t max_continuations = 8;               // per header block (CVE-2024-27316)
  // Budgets: burst, then refill per second. Legitimate clients stay far below them.
  std::uint32_t reset_rate = 50, reset_burst = reset_rate * kResetBurstSeconds;  // CVE-2023-44487
  std::uint32_t ping_rate = 10, ping_burst = ping_rate * kFrameBurstSeconds;
  std::uint32_t settings_rate = 10, settings_burst = settings_rate * kFrameBurstSeconds;
  std::uint32_t empty_data_rate = 20, empty_data_burst = empty_data_rate * kFrameBurstSeconds;
  // WINDOW_UPDATE answers DATA we send: each DATA frame sent earns two more.
  std::uint32_t window_update_rate = 100,
                window_update_burst = window_update_rate * kWindowUpdateBurstSeconds;
};

// A budget of events: `burst` at once, refilled at `rate` per second; take() false once spent.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  void reset(std::uint32_t burst, std::uint32_t rate, Clock::time_point now) noexcept {
    burst_ = burst;
    rate_ = rate;
    tokens_ = burst;
    last_ = now;
  }
  bool take(Clock::time_point now) noexcept {
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }
  void give(double tokens) noexcept { tokens_ = std::min<double>(burst_, tokens_ + tokens); }

 private:
  void refill(Clock::time_point now) noexcept {
    if (now <= last_) return;
    const double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    give(seconds * rate_);
  }

  double tokens_ = 0;
  std::uint32_t burst_ = 0;
  std::uint32_t rate_ = 0;
  Clock::time_point last_{};
};

}  // namespace flotilla::gateway::h2
