// The load-balancing policy interface: one implementation per file in balancers/, chosen by
// name through make_balancer(). A policy only chooses; it never filters for health, never
// allocates in pick(), and never sees more than one worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "upstream/prng.hpp"

namespace flotilla::upstream {

// Balancers see weights in hundredths of a configured unit, so slow start can give an endpoint of
// weight 1 a fraction of its share. Scaling every weight alike changes no policy's choices.
inline constexpr std::uint32_t kWeightScale = 100;

// One endpoint of the group a balancer serves (the primaries, or the backups), as configured.
// `key` is only valid during set_members().
struct BalancerMember {
  std::string_view key;
  std::uint32_t weight = 1;
};

// An endpoint eligible for this pick: available, not tried by this request, of the right group.
// `member` indexes the span given to set_members(), so per-member state (smooth round robin's
// current_weight, a hash ring) survives picks whose eligible set differs, as nginx keeps it per
// peer. Candidates come in increasing member order.
struct Candidate {
  std::uint32_t member = 0;
  std::uint32_t weight = kWeightScale;  // effective (slow start applied), kWeightScale units, > 0
  std::uint32_t in_flight = 0;
};

struct PickRequest {
  std::string_view hash_key;  // client IP, header or cookie value; empty when absent
  Prng& rng;
};

class Balancer {
 public:
  virtual ~Balancer() = default;
  // Called when the group's endpoints change (a new snapshot): the one place that may allocate.
  virtual void set_members(std::span<const BalancerMember> members) = 0;
  // An index into `candidates`, or nullopt only when `candidates` is empty.
  virtual std::optional<std::size_t> pick(const PickRequest& request,
                                          std::span<const Candidate> candidates) = 0;
};

}  // namespace flotilla::upstream
