// A minimum transfer rate (slowloris, slow POST): bytes must keep arriving at `rate` per second,
// measured window by window. Each window needs rate × window bytes; once they came, the next
// window starts there. The owner sets its read deadline to window_end() (the sweep then cuts a
// client that sends too little, even nothing) and reports arrivals to on_bytes(). Pure: the
// caller passes the time.
#pragma once

#include <chrono>
#include <cstdint>

namespace flotilla::net {

class MinRate {
 public:
  using Clock = std::chrono::steady_clock;

  MinRate() = default;
  MinRate(std::uint64_t bytes_per_second, std::chrono::milliseconds window) noexcept
      : window_(window),
        quota_(bytes_per_second * static_cast<std::uint64_t>(window.count()) / 1000) {
    if (quota_ == 0 && bytes_per_second != 0) quota_ = 1;
  }

  bool enabled() const noexcept { return quota_ != 0; }
  // A new measurement (a request head or body starts) at `now`.
  void start(Clock::time_point now) noexcept {
    window_start_ = now;
    received_ = 0;
  }
  // `bytes` arrived at `now`; false when the window ended before its quota came (too slow).
  bool on_bytes(std::uint64_t bytes, Clock::time_point now) noexcept {
    if (!enabled()) return true;
    received_ += bytes;
    if (received_ >= quota_) {  // this window is paid for: the next one starts now
      start(now);
      return true;
    }
    return now < window_end();
  }
  // When the current window's quota is due (max() when off).
  Clock::time_point window_end() const noexcept {
    return enabled() ? window_start_ + window_ : Clock::time_point::max();
  }

 private:
  std::chrono::milliseconds window_{0};
  std::uint64_t quota_ = 0;
  std::uint64_t received_ = 0;
  Clock::time_point window_start_{};
};

}  // namespace flotilla::net
