// Envoy/Linkerd-style retry budget for one upstream in one worker: bounds concurrent retries to a
// share of concurrent requests so retries cannot multiply an outage. Counts only; never decides
// whether a particular failure is retryable (the route's `retry.on` does).
#pragma once

#include <cstdint>

#include "upstream/snapshot.hpp"

namespace flotilla::upstream {

// "Requests" are client requests in progress (each counted once, however many attempts it makes);
// "retries" are attempts after the first that are in progress. The budget is per worker, so with
// N workers the min_retries floor applies N times over.
class RetryBudget {
 public:
  explicit RetryBudget(const RetryBudgetSpec& spec) : spec_(spec) {}
  void set_spec(const RetryBudgetSpec& spec) { spec_ = spec; }

  void on_request_start() { ++active_requests_; }
  void on_request_end();
  // Starts a retry and returns true when within budget; false means "do not retry".
  bool try_start_retry();
  void on_retry_end();

  // max(min_retries, percent × active requests)
  std::uint32_t limit() const;
  std::uint32_t active_requests() const { return active_requests_; }
  std::uint32_t active_retries() const { return active_retries_; }

 private:
  RetryBudgetSpec spec_;
  std::uint32_t active_requests_ = 0;
  std::uint32_t active_retries_ = 0;
};

}  // namespace flotilla::upstream
