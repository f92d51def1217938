// ngx_http_upstream_get_least_conn_peer: compare in_flight/weight by cross-multiplication, then
// round robin among the candidates that share the lowest ratio. Must never allocate in pick().
#include "upstream/balancers/least_conn.hpp"

#include <cstdint>

namespace flotilla::upstream {

namespace {
// a.in_flight / a.weight compared with b.in_flight / b.weight, without division.
std::int64_t compare_load(const Candidate& a, const Candidate& b) {
  return std::int64_t{a.in_flight} * b.weight - std::int64_t{b.in_flight} * a.weight;
}
}  // namespace

void LeastConn::set_members(std::span<const BalancerMember> members) {
  tie_breaker_.resize(members.size());
}

std::optional<std::size_t> LeastConn::pick(const PickRequest& /*request*/,
                                           std::span<const Candidate> candidates) {
  if (candidates.empty()) return std::nullopt;
  std::size_t least = 0;
  bool tied = false;
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    const std::int64_t order = compare_load(candidates[i], candidates[least]);
    if (order < 0) {
      least = i;
      tied = false;
    } else if (order == 0) {
      tied = true;
    }
  }
  if (!tied) {
    return least;
  }
  const Candidate& best = candidates[least];
  return tie_breaker_.pick(candidates,
                           [&best](const Candidate& c) { return compare_load(c, best) == 0; });
}

}  // namespace flotilla::upstream
