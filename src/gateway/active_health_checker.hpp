// Active health checks of upstream endpoints (HAProxy `check inter/rise/fall`, nginx plus
// `health_check`): runs on the control thread, GETs each endpoint's check path every interval,
// and reports up/down transitions, which the gateway then posts to every worker. Never runs on
// a worker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <asio/io_context.hpp>

#include "config/spec.hpp"
#include "gateway/snapshot.hpp"

namespace flotilla::gateway {

class ActiveHealthChecker {
 public:
  using Report =
      std::function<void(const std::string& upstream, const std::string& endpoint_key, bool up)>;

  ActiveHealthChecker(asio::io_context& control, Report report)
      : control_(control), report_(std::move(report)) {}

  // Starts checking every endpoint of every upstream that has `health_check:`; checks of an
  // earlier configure() stop at their next tick. Endpoints start as up (as HAProxy's do).
  void configure(const config::Spec& spec, const GatewaySnapshot& snapshot);
  void stop() { ++generation_; }

 private:
  asio::io_context& control_;
  Report report_;
  std::uint64_t generation_ = 0;
};

}  // namespace flotilla::gateway
