// One rate limit's enforcement state: its GCRA parameters, its key table and the bound on
// requests held in delay mode. Shared by every worker (stages hold it); lock-free on the request
// path. shared_limiter() is for the control thread only, when it builds a snapshot.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ratelimit/gcra.hpp"
#include "ratelimit/key_table.hpp"

namespace flotilla::ratelimit {

// Slots per limit: 8 bytes each (512 KiB); at most this many clients hold a partly used budget
// at once before the least-used are forgotten.
inline constexpr std::size_t kDefaultSlots = std::size_t{1} << 16;
// Requests held at once by one delay-mode limit, whatever their keys.
inline constexpr std::uint32_t kDefaultMaxDelayed = 4096;

class Limiter {
 public:
  Limiter(GcraParams params, std::size_t slots = kDefaultSlots,
          std::uint32_t max_delayed = kDefaultMaxDelayed)
      : params_(params), table_(slots), max_delayed_(max_delayed) {}

  Decision acquire(std::uint64_t key_hash, Micros now) noexcept {
    return table_.acquire(key_hash, now, params_);
  }
  const GcraParams& params() const noexcept { return params_; }
  const KeyTable& table() const noexcept { return table_; }

  // Delay mode's bounded queue: false when `max_delayed` requests already wait (the request is
  // then refused); every true is paired with one leave_delay().
  bool enter_delay() noexcept;
  void leave_delay() noexcept { delayed_.fetch_sub(1, std::memory_order_relaxed); }
  std::uint32_t delayed() const noexcept { return delayed_.load(std::memory_order_relaxed); }

 private:
  GcraParams params_;
  KeyTable table_;
  std::uint32_t max_delayed_;
  std::atomic<std::uint32_t> delayed_{0};
};

// µs on the monotonic clock (the key tables' time base).
Micros monotonic_micros() noexcept;

// The limiter named `name` with `params`: the same object as long as some snapshot holds it, so
// routes sharing a named limit share one budget and a reload keeps every client's state (a
// changed rate makes a new one). Control thread only (it takes a lock; the data plane never does).
std::shared_ptr<Limiter> shared_limiter(std::string_view name, const GcraParams& params);

}  // namespace flotilla::ratelimit
