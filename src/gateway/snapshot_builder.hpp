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
#include "gateway/tls_contexts.hpp"

namespace flotilla::gateway {

// A ready instance of a service, as an upstream endpoint ("web/2" at "127.0.0.1:8002").
struct ServiceEndpoint {
  std::string key;
  std::string address;  // "ip:port"
};
using ServiceEndpoints = std::map<std::string, std::vector<ServiceEndpoint>>;

class SnapshotBuilder {
 public:
  // Resolves every static server and builds every route's and listener's stages; problems go
  // to `errors` (a route this build cannot serve is one, never silently dropped).
  SnapshotBuilder(const config::Spec& spec, std::vector<std::string>& errors);

  // The ports the listeners were bound to (parallel to build_listener_settings()), for what
  // refers to a listener's real port (redirect_https with `port: 0` listeners in tests).
  void set_bound_endpoints(const std::vector<asio::ip::tcp::endpoint>& endpoints);

  // A snapshot with each service-backed upstream's current ready instances (before its static
  // servers, which are often backups in another region).
  SnapshotPtr build(const ServiceEndpoints& services = {});

  // Reads every TLS file again (a certificate renewed in place); false with `errors` when any
  // context fails, and then nothing changes. The next build() serves the new contexts.
  bool reload_certificates(std::vector<std::string>& errors);
  const TlsContexts& tls() const noexcept { return tls_; }

 private:
  void build_listeners();

  const config::Spec& spec_;
  std::vector<UpstreamTarget> static_upstreams_;      // parallel to the config's upstreams
  std::vector<std::optional<std::string>> services_;  // the service each upstream follows
  std::vector<RouteTarget> routes_;
  std::vector<RouteKey> route_keys_;
  TlsContexts tls_;
  std::vector<ListenerTarget> listeners_;  // parallel to build_listener_settings()
  std::vector<std::uint16_t> ports_;       // the listeners' ports, bound when known
  std::uint64_t generation_ = 0;
};

// The stages of one route (build_chains.cpp); an error when this build cannot serve it.
RouteTarget build_route(const config::Spec& spec, const config::Route& route,
                        std::vector<std::string>& errors);

// The stages of one listener; `https_port` is the first TLS listener's (0: none); `acme_http`:
// some listener obtains its certificate over ACME HTTP-01, which a plain listener answers.
ListenerTarget build_listener(const config::Listener& listener, std::uint16_t https_port,
                              std::shared_ptr<const tls::ServerContext> tls,
                              bool acme_http = false);
// Whether any listener of `spec` obtains its certificate over ACME HTTP-01.
bool uses_acme_http(const config::Spec& spec);

// The config's TCP listeners, in the order of build_listener_settings().
std::vector<const config::Listener*> tcp_listeners(const config::Spec& spec);

// One entry per `listen:` address (TCP only), resolved.
std::vector<ListenerSettings> build_listener_settings(const config::Spec& spec,
                                                      std::vector<std::string>& errors);

}  // namespace flotilla::gateway
