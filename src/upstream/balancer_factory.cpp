// The table of policies. Must never hold state: each call builds a fresh balancer.
#include "upstream/balancer_factory.hpp"

#include <array>
#include <utility>

#include "upstream/balancers/consistent_hash.hpp"
#include "upstream/balancers/ip_hash.hpp"
#include "upstream/balancers/least_conn.hpp"
#include "upstream/balancers/random_two.hpp"
#include "upstream/balancers/round_robin.hpp"

namespace flotilla::upstream {

namespace {
constexpr std::array<std::pair<BalanceKind, std::string_view>, 5> kNames{{
    {BalanceKind::round_robin, "round_robin"},
    {BalanceKind::least_conn, "least_conn"},
    {BalanceKind::random_two, "random_two"},
    {BalanceKind::consistent_hash, "consistent_hash"},
    {BalanceKind::ip_hash, "ip_hash"},
}};
}  // namespace

std::unique_ptr<Balancer> make_balancer(BalanceKind kind) {
  switch (kind) {
    case BalanceKind::least_conn:
      return std::make_unique<LeastConn>();
    case BalanceKind::random_two:
      return std::make_unique<RandomTwo>();
    case BalanceKind::consistent_hash:
      return std::make_unique<ConsistentHash>();
    case BalanceKind::ip_hash:
      return std::make_unique<IpHash>();
    case BalanceKind::round_robin:
      break;
  }
  return std::make_unique<RoundRobin>();
}

std::optional<BalanceKind> balance_kind_from_name(std::string_view name) {
  for (const auto& [kind, kind_name] : kNames) {
    if (kind_name == name) return kind;
  }
  return std::nullopt;
}

std::string_view balance_kind_name(BalanceKind kind) {
  for (const auto& [known, name] : kNames) {
    if (known == kind) return name;
  }
  return "round_robin";
}

}  // namespace flotilla::upstream
