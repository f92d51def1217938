// Consistent hashing on a ketama ring (nginx `hash ... consistent`): the same key goes to the
// same endpoint, and when an endpoint leaves only its keys move. The ring uses configured
// weights: slow start does not apply to hashing. Must never allocate in pick().
#pragma once

#include <cstdint>
#include <vector>

#include "upstream/balancer.hpp"
#include "upstream/balancers/member_slots.hpp"
#include "upstream/balancers/smooth_weights.hpp"

namespace flotilla::upstream {

class ConsistentHash final : public Balancer {
 public:
  // ketama's 160 points per unit of weight; weights above kMaxRingWeight count as that much, so
  // a weight of 1000 cannot make the ring (per worker) millions of points long.
  static constexpr std::uint32_t kPointsPerWeight = 160;
  static constexpr std::uint32_t kMaxRingWeight = 32;

  void set_members(std::span<const BalancerMember> members) override;
  // An empty key (header or cookie absent) falls back to round robin, as HAProxy's
  // `balance hdr()` does, rather than sending every such request to one endpoint.
  std::optional<std::size_t> pick(const PickRequest& request,
                                  std::span<const Candidate> candidates) override;

 private:
  struct RingPoint {
    std::uint64_t point;
    std::uint32_t member;
  };
  std::vector<RingPoint> ring_;
  MemberSlots slots_;
  SmoothWeights fallback_;
};

}  // namespace flotilla::upstream
