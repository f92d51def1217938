// nginx's smooth weighted round robin state (one current_weight per member), shared by the
// policies that pick or break ties by round robin. Must never allocate outside resize().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "upstream/balancer.hpp"

namespace flotilla::upstream {

class SmoothWeights {
 public:
  void resize(std::size_t members) { current_.assign(members, 0); }

  // ngx_http_upstream_get_peer: every eligible candidate gains its weight, the highest
  // current_weight wins (the first one on a tie) and loses the total. Members that are not
  // eligible keep their current_weight untouched until they are again.
  template <typename Eligible>
  std::optional<std::size_t> pick(std::span<const Candidate> candidates, Eligible&& eligible) {
    std::optional<std::size_t> best;
    std::int64_t total = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (!eligible(candidates[i])) continue;
      std::int64_t& current = current_[candidates[i].member];
      current += candidates[i].weight;
      total += candidates[i].weight;
      if (!best || current > current_[candidates[*best].member]) best = i;
    }
    if (best) current_[candidates[*best].member] -= total;
    return best;
  }

  std::optional<std::size_t> pick(std::span<const Candidate> candidates) {
    return pick(candidates, [](const Candidate&) { return true; });
  }

 private:
  std::vector<std::int64_t> current_;
};

}  // namespace flotilla::upstream
