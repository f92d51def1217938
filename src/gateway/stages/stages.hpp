// The stages this build has, one file each, made by the snapshot builder (control thread) from
// the config. Request stages answer or continue; header rules change the request sent upstream
// or the response; HSTS marks a TLS listener's responses. Each stage object is immutable and
// shared by every worker.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/spec.hpp"
#include "gateway/pipeline/stage.hpp"
#include "net/ip_address.hpp"

namespace flotilla::gateway {

struct CacheRouteSettings;

// A plain listener's ACME HTTP-01 answers (/.well-known/acme-challenge/TOKEN), first of all.
std::shared_ptr<const RequestStage> make_acme_challenge_stage();
// A listener's own health path: 200 "healthy" (nginx's `location /health { return 200; }`).
std::shared_ptr<const RequestStage> make_health_stage(std::string path);
// A listener's readiness path: 200 while some upstream has an endpoint to send to, else 503.
std::shared_ptr<const RequestStage> make_ready_stage(std::string path);
// A plain listener's `redirect_https`: 301 (GET/HEAD) or 308 to https://host[:port]/target.
// `https_port` 443 is left out of the URL.
std::shared_ptr<const RequestStage> make_redirect_https_stage(std::uint16_t https_port);
// A route's `redirect: { to, status }`.
std::shared_ptr<const RequestStage> make_redirect_stage(const config::RedirectAction& redirect);
// A route's `static:` files; `prefix` is the route's match.path, mapped onto the root. Answers
// every request (405 with Allow for methods other than GET and HEAD).
std::shared_ptr<const RequestStage> make_static_files_stage(const config::StaticAction& files,
                                                            std::string prefix);
// A route's `rate_limit`: counts the request in the limit's table (shared by every worker, and
// by every route using the same limit `name`) and continues, delays it, or answers `status`.
std::shared_ptr<const RequestStage> make_rate_limit_stage(const config::RateLimit& config,
                                                          std::string name);
// TRACE is answered 405 (with Allow) on routes that do not allow it: echoing a request back can
// leak credentials that scripts may not read (cross-site tracing).
std::shared_ptr<const RequestStage> make_trace_guard_stage();
// `allow:` / `deny:` of a listener or route (access_rules.cpp): 403 for a client address in
// `deny` or outside a given `allow`.
std::shared_ptr<const RequestStage> make_access_rules_stage(const config::AccessRules& rules);
// The config's checked CIDR blocks as a set.
net::CidrSet cidr_set(const std::vector<std::string>& blocks);
// A route's `methods:`: 405 with Allow for any other method (GET admits HEAD).
std::shared_ptr<const RequestStage> make_method_list_stage(std::vector<std::string> methods);
// A route's `block:`: 403 for a request whose path, User-Agent or named header matches.
std::shared_ptr<const RequestStage> make_request_filter_stage(const config::RequestBlock& block);
// `headers.request`: set/add/remove on the request sent upstream.
std::shared_ptr<const UpstreamRequestStage> make_request_header_rules(config::HeaderRuleSet rules);
// `headers.response`: set/add/remove on every response of the route or listener.
std::shared_ptr<const ResponseHeadStage> make_response_header_rules(config::HeaderRuleSet rules);
// Strict-Transport-Security on every response of a TLS listener.
std::shared_ptr<const ResponseHeadStage> make_hsts_stage(const config::Hsts& hsts);
// A route's `compression` (the global one, or the route's block over it): gzip, brotli or zstd
// as the client accepts, for the listed types.
std::shared_ptr<const ResponseBodyStage> make_compression_stage(const config::Compression& config);
// A route's `cache:` (cache_lookup.cpp, cache_store.cpp, settings from cache_route.hpp): the
// lookup is the route's first request stage; the store side is the route's only body stage and
// runs `inner` (compression) itself, so each coding is stored as it is sent.
std::shared_ptr<const RequestStage> make_cache_lookup_stage(
    std::shared_ptr<const CacheRouteSettings> settings);
std::shared_ptr<const UpstreamRequestStage> make_cache_validators_stage();
std::shared_ptr<const ResponseBodyStage> make_cache_store_stage(
    std::shared_ptr<const CacheRouteSettings> settings,
    std::vector<std::shared_ptr<const ResponseBodyStage>> inner);

}  // namespace flotilla::gateway
