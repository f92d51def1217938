// Retry budget arithmetic. Must never go negative on unbalanced reports: the gateway's error
// paths are many, and a stuck budget would silently disable retries for the worker's lifetime.
#include "upstream/retry_budget.hpp"

#include <algorithm>

namespace flotilla::upstream {

void RetryBudget::on_request_end() {
  if (active_requests_ > 0) --active_requests_;
}

bool RetryBudget::try_start_retry() {
  if (active_retries_ >= limit()) return false;
  ++active_retries_;
  return true;
}

void RetryBudget::on_retry_end() {
  if (active_retries_ > 0) --active_retries_;
}

std::uint32_t RetryBudget::limit() const {
  const std::uint64_t share = std::uint64_t{active_requests_} * spec_.percent / 100;
  return static_cast<std::uint32_t>(std::max<std::uint64_t>(spec_.min_retries, share));
}

}  // namespace flotilla::upstream
