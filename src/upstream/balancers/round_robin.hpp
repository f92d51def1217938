// Smooth weighted round robin, exactly nginx's default policy (weights 5,1,1 → a a b a c a a).
// Must never look at in-flight counts or hash keys.
#pragma once

#include "upstream/balancer.hpp"
#include "upstream/balancers/smooth_weights.hpp"

namespace flotilla::upstream {

class RoundRobin final : public Balancer {
 public:
  void set_members(std::span<const BalancerMember> members) override;
  std::optional<std::size_t> pick(const PickRequest& request,
                                  std::span<const Candidate> candidates) override;

 private:
  SmoothWeights weights_;
};

}  // namespace flotilla::upstream
