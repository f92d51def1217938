// nginx's smooth weighted round robin; the algorithm itself lives in SmoothWeights, shared with
// the policies that fall back to it. Must never allocate in pick().
#include "upstream/balancers/round_robin.hpp"

namespace flotilla::upstream {

void RoundRobin::set_members(std::span<const BalancerMember> members) {
  weights_.resize(members.size());
}

std::optional<std::size_t> RoundRobin::pick(const PickRequest& /*request*/,
                                            std::span<const Candidate> candidates) {
  return weights_.pick(candidates);
}

}  // namespace flotilla::upstream
