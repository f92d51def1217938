// Chooses a Balancer implementation by policy kind or by its configuration name.
// Must never know any policy's internals beyond its constructor.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "upstream/balancer.hpp"
#include "upstream/snapshot.hpp"

namespace flotilla::upstream {

std::unique_ptr<Balancer> make_balancer(BalanceKind kind);

// "round_robin", "least_conn", "random_two", "consistent_hash", "ip_hash".
std::optional<BalanceKind> balance_kind_from_name(std::string_view name);
std::string_view balance_kind_name(BalanceKind kind);

}  // namespace flotilla::upstream
