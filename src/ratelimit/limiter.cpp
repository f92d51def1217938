// The limiter registry (name → live limiter, weakly held) and the delay-queue bound.
#include "ratelimit/limiter.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace flotilla::ratelimit {

bool Limiter::enter_delay() noexcept {
  std::uint32_t now = delayed_.load(std::memory_order_relaxed);
  do {
    if (now >= max_delayed_) return false;
  } while (!delayed_.compare_exchange_weak(now, now + 1, std::memory_order_relaxed));
  return true;
}

Micros monotonic_micros() noexcept {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<Limiter> shared_limiter(std::string_view name, const GcraParams& params) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<Limiter>, std::less<>> limiters;
  const std::lock_guard lock(mutex);
  for (auto it = limiters.begin(); it != limiters.end();) {
    it = it->second.expired() ? limiters.erase(it) : std::next(it);
  }
  auto& slot = limiters[std::string(name)];
  if (auto live = slot.lock()) {
    const GcraParams& have = live->params();
    if (have.emission == params.emission && have.quota == params.quota &&
        have.burst == params.burst && have.delay_mode == params.delay_mode) {
      return live;
    }
  }
  auto made = std::make_shared<Limiter>(params);
  slot = made;
  return made;
}

}  // namespace flotilla::ratelimit
