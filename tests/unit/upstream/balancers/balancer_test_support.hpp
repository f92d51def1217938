// Helpers shared by the balancer tests: build members and candidates from weights, count picks.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "upstream/balancer.hpp"

namespace flotilla::upstream::testing {

// Members keyed "m0", "m1", … (or by the given keys) with configured weights. Movable, not
// copyable: `members` views the strings in `keys`.
struct Members {
  std::vector<std::string> keys;
  std::vector<BalancerMember> members;

  explicit Members(std::vector<std::string> member_keys, std::vector<std::uint32_t> weights = {})
      : keys(std::move(member_keys)) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      members.push_back({keys[i], weights.empty() ? 1U : weights[i]});
    }
  }
  Members(const Members&) = delete;
  Members& operator=(const Members&) = delete;
  Members(Members&&) = default;
  Members& operator=(Members&&) = default;

  static Members with_weights(std::initializer_list<std::uint32_t> weights) {
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < weights.size(); ++i) keys.push_back("m" + std::to_string(i));
    return Members(std::move(keys), weights);
  }
  static Members numbered(std::size_t count, std::string_view prefix = "10.0.0.") {
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < count; ++i)
      keys.push_back(std::string(prefix) + std::to_string(i + 1));
    return Members(std::move(keys));
  }
};

// Every member eligible, weight × kWeightScale, no load.
inline std::vector<Candidate> all_candidates(const std::vector<BalancerMember>& members) {
  std::vector<Candidate> out;
  for (std::uint32_t i = 0; i < members.size(); ++i) {
    out.push_back({i, members[i].weight * kWeightScale, 0});
  }
  return out;
}

// How often each member was chosen over `picks` picks with a fixed key.
inline std::vector<int> count_members(Balancer& balancer, const std::vector<Candidate>& candidates,
                                      std::size_t member_count, int picks, Prng& rng,
                                      std::string_view key = {}) {
  std::vector<int> counts(member_count, 0);
  for (int i = 0; i < picks; ++i) {
    const auto chosen = balancer.pick({key, rng}, candidates);
    if (chosen) ++counts[candidates[*chosen].member];
  }
  return counts;
}

// The member chosen for `key`, or -1.
inline int member_for(Balancer& balancer, const std::vector<Candidate>& candidates,
                      std::string_view key, Prng& rng) {
  const auto chosen = balancer.pick({key, rng}, candidates);
  return chosen ? static_cast<int>(candidates[*chosen].member) : -1;
}

}  // namespace flotilla::upstream::testing
