// nginx max_fails / fail_timeout bookkeeping for one endpoint; see passive_health.hpp for the
// rules. Must never look at the clock or at other endpoints.
#include "upstream/passive_health.hpp"

namespace flotilla::upstream {

bool PassiveHealth::available(TimePoint now, const PassiveHealthSettings& settings) const {
  return settings.max_fails == 0 || fails_ < settings.max_fails ||
         now - checked_ > settings.fail_timeout;
}

void PassiveHealth::on_picked(TimePoint now, const PassiveHealthSettings& settings) {
  if (now - checked_ > settings.fail_timeout) checked_ = now;
}

void PassiveHealth::on_failure(TimePoint now) {
  ++fails_;
  accessed_ = now;
  checked_ = now;
}

bool PassiveHealth::on_success(const PassiveHealthSettings& settings) {
  if (accessed_ >= checked_) return false;
  const bool was_down = settings.max_fails != 0 && fails_ >= settings.max_fails;
  fails_ = 0;
  return was_down;
}

}  // namespace flotilla::upstream
