// Power of two random choices: draw two candidates at random in proportion to their weights,
// keep the one with less in flight per unit of weight. Must never look at hash keys.
#pragma once

#include "upstream/balancer.hpp"

namespace flotilla::upstream {

class RandomTwo final : public Balancer {
 public:
  void set_members(std::span<const BalancerMember> members) override;
  std::optional<std::size_t> pick(const PickRequest& request,
                                  std::span<const Candidate> candidates) override;
};

}  // namespace flotilla::upstream
