// Config → stages: each route's and listener's chain, in the order the pipeline runs them. The
// one place that knows which config key becomes which stage; a route kind this build cannot
// serve is an error here (never dropped). Control thread only.
#include <thread>

#include <fmt/format.h>

#include "gateway/snapshot_builder.hpp"
#include "gateway/stages/cache_route.hpp"
#include "gateway/stages/stages.hpp"

namespace flotilla::gateway {

std::vector<const config::Listener*> tcp_listeners(const config::Spec& spec) {
  std::vector<const config::Listener*> out;
  for (const config::Listener& listener : spec.listeners) {
    if (listener.address.kind == config::Address::Kind::tcp) out.push_back(&listener);
  }
  return out;
}

// `cache:`: the lookup first, and the store side wrapping the body stages (compression).
void add_cache_stages(const config::Spec& spec, const config::CachePolicy& policy,
                      StageChain& chain) {
  std::uint64_t bytes = config::CacheStore{}.memory;
  for (const config::CacheStore& store : spec.cache_stores) {
    if (store.name == policy.store) bytes = store.memory;
  }
  const std::uint32_t workers =
      spec.workers != 0 ? spec.workers : std::max(1u, std::thread::hardware_concurrency());
  auto settings =
      std::make_shared<const CacheRouteSettings>(cache_route_settings(policy, bytes, workers));
  chain.request.insert(chain.request.begin(), make_cache_lookup_stage(settings));
  chain.upstream_request.push_back(make_cache_validators_stage());
  chain.response_body = {make_cache_store_stage(settings, std::move(chain.response_body))};
}

RouteTarget build_route(const config::Spec& spec, const config::Route& route,
                        [[maybe_unused]] std::vector<std::string>& errors) {
  RouteTarget target;
  target.name = route.match.host + route.match.path;
  target.ignore_client_abort = route.ignore_client_abort;
  StageChain& chain = target.chain;
  // Who may ask, and how, before anything else looks at the request.
  const config::RouteProtection& protection = route.protection;
  if (!protection.access.empty())
    chain.request.push_back(make_access_rules_stage(protection.access));
  if (!protection.methods.empty()) {
    chain.request.push_back(make_method_list_stage(protection.methods));
  }
  if (protection.block) chain.request.push_back(make_request_filter_stage(*protection.block));
  // Then the rate limit: a refused request costs nothing more (a denied one spends no budget).
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
    if (route.cache) add_cache_stages(spec, *route.cache, chain);
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
  // After the ACME answers (the CA validates from anywhere), before the listener's own paths.
  if (!listener.protection.access.empty()) {
    chain.request.push_back(make_access_rules_stage(listener.protection.access));
  }
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
