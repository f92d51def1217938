// Config → stages: each route's and listener's chain, in the order the pipeline runs them. The
// one place that knows which config key becomes which stage; a route kind this build cannot
// serve is an error here (never dropped). Control thread only.
#include <fmt/format.h>

#include "gateway/snapshot_builder.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {

std::vector<const config::Listener*> tcp_listeners(const config::Spec& spec) {
  std::vector<const config::Listener*> out;
  for (const config::Listener& listener : spec.listeners) {
    if (listener.address.kind == config::Address::Kind::tcp) out.push_back(&listener);
  }
  return out;
}

RouteTarget build_route(const config::Spec& spec, const config::Route& route,
                        [[maybe_unused]] std::vector<std::string>& errors) {
  RouteTarget target;
  target.name = route.match.host + route.match.path;
  target.ignore_client_abort = route.ignore_client_abort;
  StageChain& chain = target.chain;
  // First of the route's stages: a refused request costs nothing more.
  if (route.rate_limit) {
    const config::RateLimit& limit = *route.rate_limit;
    chain.request.push_back(
        make_rate_limit_stage(limit, limit.name.empty() ? target.name : limit.name));
  }
  // A static route answers TRACE itself (405, Allow: GET, HEAD).
  const auto* files = std::get_if<config::StaticAction>(&route.action);
  if (!route.allow_trace && !files) chain.request.push_back(make_trace_guard_stage());
  if (route.headers) {
    if (!route.headers->request.empty()) {
      chain.upstream_request.push_back(make_request_header_rules(route.headers->request));
    }
    if (!route.headers->response.empty()) {
      chain.response_head.push_back(make_response_header_rules(route.headers->response));
    }
  }
  const config::Compression& compression =
      route.compression ? *route.compression : spec.compression;
  if (compression.enabled && (compression.gzip || compression.brotli || compression.zstd)) {
    chain.response_body.push_back(make_compression_stage(compression));
  }
  if (const auto* proxy = std::get_if<config::ProxyAction>(&route.action)) {
    target.proxy = true;
    for (std::uint32_t i = 0; i < spec.upstreams.size(); ++i) {
      if (spec.upstreams[i].name == proxy->upstream) target.upstream = i;
    }
    const config::Retry retry = route.retry.value_or(config::Retry{});
    target.retry.on = 0;
    for (const config::RetryOn on : retry.on) target.retry.on |= config::retry_bit(on);
    target.retry.tries = retry.tries;
    target.retry.budget = retry.timeout;
    target.retry.non_idempotent = retry.non_idempotent;
    const auto adaptive = [](const config::AdaptiveDuration& d) {
      return upstream::AdaptiveTimeout{d.automatic ? upstream::AdaptiveTimeout::Mode::automatic
                                                   : upstream::AdaptiveTimeout::Mode::fixed,
                                       d.fixed};
    };
    if (retry.per_try_timeout) target.retry.per_try = adaptive(*retry.per_try_timeout);
    if (route.hedge) {
      target.hedge.after = adaptive(route.hedge->after);
      target.hedge.max = route.hedge->max;
    }
    target.timeouts = {route.timeouts.connect, route.timeouts.send, route.timeouts.read};
  } else if (const auto* redirect = std::get_if<config::RedirectAction>(&route.action)) {
    target.proxy = false;
    chain.request.push_back(make_redirect_stage(*redirect));
  } else if (files) {
    target.proxy = false;
    chain.request.push_back(make_static_files_stage(*files, route.match.path));
  }
  return target;
}

ListenerTarget build_listener(const config::Listener& listener, std::uint16_t https_port,
                              std::shared_ptr<const tls::ServerContext> tls, bool acme_http) {
  ListenerTarget target;
  if (listener.tls) {
    target.tls = std::move(tls);
    target.handshake_timeout = listener.tls->handshake_timeout;
    target.max_handshakes = listener.tls->max_handshakes;
    if (listener.tls->client_ca) target.client_subject_header = listener.tls->client_subject_header;
  }
  StageChain& chain = target.chain;
  if (acme_http && !listener.tls) chain.request.push_back(make_acme_challenge_stage());
  // The listener's own paths come first: they are answered even where everything else is
  // redirected to HTTPS.
  if (listener.health_path) chain.request.push_back(make_health_stage(*listener.health_path));
  if (listener.ready_path) chain.request.push_back(make_ready_stage(*listener.ready_path));
  if (listener.redirect_https && https_port != 0) {
    chain.request.push_back(make_redirect_https_stage(https_port));
  }
  if (listener.tls && listener.hsts) chain.response_head.push_back(make_hsts_stage(*listener.hsts));
  if (listener.headers) {
    if (!listener.headers->request.empty()) {
      chain.upstream_request.push_back(make_request_header_rules(listener.headers->request));
    }
    if (!listener.headers->response.empty()) {
      chain.response_head.push_back(make_response_header_rules(listener.headers->response));
    }
  }
  return target;
}

}  // namespace flotilla::gateway
