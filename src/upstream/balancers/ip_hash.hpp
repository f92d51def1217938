// nginx's ip_hash: clients of the same IPv4 /24 (or the same whole IPv6 address) go to the same
// endpoint, using nginx's own hash so a mixed fleet agrees. Must never allocate in pick().
#pragma once

#include <cstdint>
#include <vector>

#include "upstream/balancer.hpp"
#include "upstream/balancers/member_slots.hpp"
#include "upstream/balancers/smooth_weights.hpp"

namespace flotilla::upstream {

// The hash key is the client address as text ("192.0.2.7", "2001:db8::1"); an IPv4-mapped IPv6
// address counts as IPv4. Anything else (a unix socket peer) hashes like nginx's pseudo address
// 0.0.0. Weights are the configured ones: slow start does not apply to hashing.
class IpHash final : public Balancer {
 public:
  void set_members(std::span<const BalancerMember> members) override;
  std::optional<std::size_t> pick(const PickRequest& request,
                                  std::span<const Candidate> candidates) override;

 private:
  std::vector<std::uint32_t> weights_;
  std::uint64_t total_weight_ = 0;
  MemberSlots slots_;
  SmoothWeights fallback_;
};

}  // namespace flotilla::upstream
