// Which candidate (if any) stands for each member in the current pick: lets the hash policies,
// which map keys onto all members, check eligibility in O(1). Must never allocate outside resize().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "upstream/balancer.hpp"

namespace flotilla::upstream {

class MemberSlots {
 public:
  void resize(std::size_t members) { slot_.assign(members, kNone); }

  void fill(std::span<const Candidate> candidates) {
    std::fill(slot_.begin(), slot_.end(), kNone);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      slot_[candidates[i].member] = static_cast<std::uint32_t>(i);
    }
  }

  std::optional<std::size_t> candidate_of(std::size_t member) const {
    if (member >= slot_.size() || slot_[member] == kNone) return std::nullopt;
    return slot_[member];
  }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> slot_;
};

}  // namespace flotilla::upstream
