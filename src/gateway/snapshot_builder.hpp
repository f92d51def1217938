// Turns the config's routes and upstreams, plus the ready instances of services, into the
// immutable snapshot the workers serve from. Static servers are resolved once, on the control
// thread (never on a worker); instance addresses are IP literals and cost nothing to rebuild.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/spec.hpp"
#include "gateway/listener_settings.hpp"
#include "gateway/snapshot.hpp"

namespace flotilla::gateway {

// A ready instance of a service, as an upstream endpoint ("web/2" at "127.0.0.1:8002").
struct ServiceEndpoint {
  std::string key;
  std::string address;  // "ip:port"
};
using ServiceEndpoints = std::map<std::string, std::vector<ServiceEndpoint>>;

class SnapshotBuilder {
 public:
  // Resolves every static server; failures go to `errors`.
  SnapshotBuilder(const config::Spec& spec, std::vector<std::string>& errors);

  // A snapshot with each service-backed upstream's current ready instances (before its static
  // servers, which are often backups in another region).
  SnapshotPtr build(const ServiceEndpoints& services = {});

 private:
  std::vector<UpstreamTarget> static_upstreams_;      // parallel to the config's upstreams
  std::vector<std::optional<std::string>> services_;  // the service each upstream follows
  std::vector<RouteTarget> routes_;
  std::vector<RouteKey> route_keys_;
  std::uint64_t generation_ = 0;
};

// One entry per `listen:` address (TCP only), resolved.
std::vector<ListenerSettings> build_listener_settings(const config::Spec& spec,
                                                      std::vector<std::string>& errors);

}  // namespace flotilla::gateway
