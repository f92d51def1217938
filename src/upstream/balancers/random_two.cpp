// Weighted power of two choices (Mitzenmacher; nginx `random two`, Envoy's least_request). On a
// tie the first draw wins, so an idle upstream gets exactly weight-proportional traffic; under
// load in-flight counts settle in proportion to weights. Draws may repeat. Never allocates.
#include "upstream/balancers/random_two.hpp"

#include <cstdint>

#include "upstream/balancers/weighted_walk.hpp"

namespace flotilla::upstream {

namespace {
std::uint64_t candidate_weight(const Candidate& c) {
  return c.weight;
}
}  // namespace

void RandomTwo::set_members(std::span<const BalancerMember> /*members*/) {}

std::optional<std::size_t> RandomTwo::pick(const PickRequest& request,
                                           std::span<const Candidate> candidates) {
  if (candidates.empty()) return std::nullopt;
  if (candidates.size() == 1) return 0;
  const std::uint64_t total = total_weight(candidates, candidate_weight);
  if (total == 0) return 0;
  const std::size_t first = item_at_weight(candidates, request.rng.below(total), candidate_weight);
  const std::size_t second = item_at_weight(candidates, request.rng.below(total), candidate_weight);
  const Candidate& a = candidates[first];
  const Candidate& b = candidates[second];
  // b.in_flight / b.weight < a.in_flight / a.weight
  const bool second_less_loaded =
      std::uint64_t{b.in_flight} * a.weight < std::uint64_t{a.in_flight} * b.weight;
  return second_less_loaded ? second : first;
}

}  // namespace flotilla::upstream
