// nginx's least_conn: the fewest in-flight requests relative to weight, ties broken by smooth
// weighted round robin among the tied (not always the first). Must never look at hash keys.
#pragma once

#include "upstream/balancer.hpp"
#include "upstream/balancers/smooth_weights.hpp"

namespace flotilla::upstream {

class LeastConn final : public Balancer {
 public:
  void set_members(std::span<const BalancerMember> members) override;
  std::optional<std::size_t> pick(const PickRequest& request,
                                  std::span<const Candidate> candidates) override;

 private:
  SmoothWeights tie_breaker_;
};

}  // namespace flotilla::upstream
