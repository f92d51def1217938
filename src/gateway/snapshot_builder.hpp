// Turns the config's routes and upstreams into the immutable snapshot the workers serve from,
// resolving upstream addresses on the control thread (never on a worker).
#pragma once

#include <string>
#include <vector>

#include "config/spec.hpp"
#include "gateway/listener_settings.hpp"
#include "gateway/snapshot.hpp"

namespace flotilla::gateway {

// Errors (an address that does not resolve) go to `errors`; the snapshot is then incomplete.
SnapshotPtr build_snapshot(const config::Spec& spec, std::uint64_t generation,
                           std::vector<std::string>& errors);

// One entry per `listen:` address (TCP only), resolved.
std::vector<ListenerSettings> build_listener_settings(const config::Spec& spec,
                                                      std::vector<std::string>& errors);

}  // namespace flotilla::gateway
