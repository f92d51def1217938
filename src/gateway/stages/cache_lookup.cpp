// A route's `cache:` request side: builds the cache key, honours the request's Cache-Control
// (no-cache, max-age, min-fresh, max-stale, only-if-cached), answers a usable stored response
// (with Age, X-Cache and Cache-Status; HEAD from a stored GET; the client's own If-None-Match /
// If-Modified-Since answered 304 from the entry), and otherwise tells the store side
// (cache_store.cpp) whether the response may be stored. Unsafe methods invalidate the target.
// Never waits for the upstream and never writes a body it did not take from the store.
#include <fmt/format.h>

#include "cache/freshness.hpp"
#include "cache/stored_head.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "gateway/pipeline/serve_request.hpp"
#include "gateway/stages/cache_route.hpp"
#include "gateway/stages/stages.hpp"
#include "gateway/worker.hpp"
#include "http/ascii.hpp"

namespace flotilla::gateway {
namespace {

bool unsafe(http::Method m) {
  return m != http::Method::kGet && m != http::Method::kHead && m != http::Method::kOptions &&
         m != http::Method::kTrace;
}

// Fields a stored response never replays: framing (the sink writes it), its own Age, and the
// request id of the request that fetched it.
bool replayed(std::string_view name) {
  return !http::ascii_iequals(name, "content-length") &&
         !http::ascii_iequals(name, "transfer-encoding") && !http::ascii_iequals(name, "age") &&
         !http::ascii_iequals(name, "x-request-id") && !http::ascii_iequals(name, "x-cache") &&
         !http::ascii_iequals(name, "cache-status");
}

// A 304 to the client carries the fields RFC 9110 §15.4.5 lists.
bool kept_in_304(std::string_view name) {
  for (std::string_view n :
       {"cache-control", "content-location", "date", "etag", "expires", "vary", "last-modified"}) {
    if (http::ascii_iequals(name, n)) return true;
  }
  return false;
}

bool in_304(std::string_view name) {
  return replayed(name) && kept_in_304(name);
}
bool replayed_not_cc(std::string_view name) {
  return replayed(name) && !http::ascii_iequals(name, "cache-control");
}
bool in_304_not_cc(std::string_view name) {
  return in_304(name) && !http::ascii_iequals(name, "cache-control");
}

class CacheLookupStage final : public RequestStage {
 public:
  explicit CacheLookupStage(std::shared_ptr<const CacheRouteSettings> settings)
      : settings_(std::move(settings)) {}
  std::string_view name() const noexcept override { return "cache_lookup"; }

  Verdict on_request(RequestContext& ctx) const override {
    CacheScratch& scratch = ctx.scratch.cache;
    scratch.store = false;
    scratch.stale.reset();
    scratch.stale_for = 0;
    scratch.validating = false;
    scratch.x_cache = "BYPASS";
    scratch.forward = "bypass";
    scratch.request_time = cache_now();
    build_cache_key(ctx, *settings_, scratch.key);
    const http::Method method = ctx.head.method;
    if (unsafe(method)) {
      invalidate(scratch.key);
      return Verdict::kContinue;
    }
    const bool get = method == http::Method::kGet && settings_->get;
    const bool head = method == http::Method::kHead && settings_->head;
    if (!get && !head) return Verdict::kContinue;
    const cache::Fields fields = as_fields(ctx.head.headers);
    if (cache::has_unhandled_condition(fields)) {
      scratch.forward = "request";
      return Verdict::kContinue;
    }
    const cache::RequestDirectives req = cache::parse_request_directives(fields);
    // A HEAD is never stored (§3), but a GET's entry may answer it.
    scratch.store = get && !req.no_store;
    scratch.x_cache = "MISS";
    scratch.forward = "miss";
    return Verdict::kAsync;
  }

  net::Awaitable<Verdict> on_request_async(RequestContext& ctx) const override {
    CacheScratch& scratch = ctx.scratch.cache;
    // A view into a per-thread vector: made again after any co_await (other requests use it).
    cache::Fields fields = as_fields(ctx.head.headers);
    const cache::RequestDirectives req = cache::parse_request_directives(fields);
    cache::MemoryStore& store = worker_cache_store(*settings_);
    auto entry = store.find(scratch.key, fields);
    if (!entry) {
      if (req.only_if_cached) co_return gateway_timeout(ctx);
      if (!scratch.store) co_return Verdict::kContinue;
      // Request collapsing: the first miss fetches; the others wait for its entry.
      if (cache_flight_begin(scratch.key, settings_->lock_timeout)) co_return Verdict::kContinue;
      const bool waited = co_await cache_flight_wait(scratch.key, settings_->lock_timeout);
      fields = as_fields(ctx.head.headers);
      if (waited) entry = store.find(scratch.key, fields);
      if (!entry) co_return Verdict::kContinue;
    }
    // §3.5: a response stored for one client answers a request with credentials only when it
    // said it may.
    const cache::ResponseDirectives& cc = entry->facts.cc.directives;
    if (has_authorization(ctx) && !cc.public_ && !cc.s_maxage && !cc.must_revalidate) {
      scratch.forward = "request";
      co_return Verdict::kContinue;
    }
    const std::int64_t now = cache_now();
    const std::int64_t lifetime =
        cache::freshness_lifetime(entry->facts, settings_->policy, entry->response_time);
    const std::int64_t age =
        cache::current_age(entry->facts, entry->request_time, entry->response_time, now);
    const cache::Usability usable = cache::usability(entry->facts, lifetime, age, req);
    if (usable == cache::Usability::kMustValidate) {
      if (req.only_if_cached) co_return gateway_timeout(ctx);
      scratch.x_cache = "EXPIRED";
      scratch.forward = "stale";
      scratch.stale = entry;
      scratch.stale_for = age - lifetime;
      // Validators go upstream (cache_validators below) unless the client sent its own: then the
      // origin's 304 is the client's.
      scratch.validating = !cache::has_field(fields, "if-none-match") &&
                           !cache::has_field(fields, "if-modified-since") &&
                           !cache::validators_for(entry->headers).empty();
      co_return Verdict::kContinue;
    }
    const bool stale = usable == cache::Usability::kStaleAllowed;
    ctx.worker.metrics().cache_request(stale ? observe::CacheResult::stale
                                             : observe::CacheResult::hit);
    co_await answer(ctx, *entry, age, lifetime - age, stale ? "STALE" : "HIT");
    co_return Verdict::kDone;
  }

 private:
  static bool has_authorization(const RequestContext& ctx) {
    for (const http::Header& h : ctx.head.headers) {
      if (h.id == http::HeaderId::kAuthorization) return true;
    }
    return false;
  }

  static Verdict gateway_timeout(RequestContext& ctx) {
    ctx.answer = LocalAnswer{};
    ctx.answer.status = 504;
    ctx.answer.error = true;
    ctx.answer.detail = "not in cache (only-if-cached)";
    ctx.scratch.response_edits.add("Cache-Status", "flotilla; fwd=miss; detail=only-if-cached");
    return Verdict::kAnswer;
  }

  // §4.4: an unsafe method invalidates the target URI (every variant and key part of it).
  void invalidate(const std::string& key) const {
    const std::string_view url = std::string_view(key).substr(0, key.find('\n'));
    cache::MemoryStore& store = worker_cache_store(*settings_);
    store.erase(url);
    store.erase_prefix(std::string(url) + '\n');
  }

  net::Awaitable<void> answer(RequestContext& ctx, const cache::StoredResponse& entry,
                              std::int64_t age, std::int64_t ttl, std::string_view x_cache) const {
    HeaderEdits& edits = ctx.scratch.response_edits;
    const bool not_modified =
        cache::client_not_modified(as_fields(ctx.head.headers), entry.headers);
    if (not_modified) {
      add_stored_fields(edits, entry.headers, settings_->browser_ttl ? &in_304_not_cc : &in_304);
    } else {
      add_stored_fields(edits, entry.headers,
                        settings_->browser_ttl ? &replayed_not_cc : &replayed);
    }
    if (settings_->browser_ttl) {
      edits.add("Cache-Control", fmt::format("max-age={}", *settings_->browser_ttl));
    }
    edits.add("Age", fmt::format("{}", age));
    edits.add("X-Cache", x_cache);
    edits.add("Cache-Status", fmt::format("flotilla; hit; ttl={}", ttl));
    edits.add("X-Request-Id", request_id(ctx));
    ResponseHeadOut head;
    head.status = not_modified ? 304 : entry.status;
    head.edits = &edits;
    const bool no_body = not_modified || entry.status == 204 || entry.status == 304;
    head.length = no_body ? BodyLength::kNone : BodyLength::kKnown;
    head.content_length = no_body ? 0 : entry.body.size();
    ctx.sink.head(head);
    co_await ctx.sink.body(no_body ? std::string_view{} : std::string_view(entry.body), true);
  }

  std::shared_ptr<const CacheRouteSettings> settings_;
};

// Adds the stale entry's validators to the request sent upstream (RFC 9111 §4.3.1).
class CacheValidatorsStage final : public UpstreamRequestStage {
 public:
  std::string_view name() const noexcept override { return "cache_validators"; }
  void on_upstream_request(RequestContext& ctx, HeaderEdits& edits) const override {
    const CacheScratch& scratch = ctx.scratch.cache;
    if (!scratch.validating || !scratch.stale) return;
    for (const auto& [name, value] : cache::validators_for(scratch.stale->headers)) {
      edits.add(name, value);
    }
  }
};

}  // namespace

std::shared_ptr<const UpstreamRequestStage> make_cache_validators_stage() {
  return std::make_shared<CacheValidatorsStage>();
}

std::shared_ptr<const RequestStage> make_cache_lookup_stage(
    std::shared_ptr<const CacheRouteSettings> settings) {
  return std::make_shared<CacheLookupStage>(std::move(settings));
}

}  // namespace flotilla::gateway
