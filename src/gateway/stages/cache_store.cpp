// A route's `cache:` response side, a response-body stage placed before the route's other body
// stages (compression), which it runs itself: the body as it leaves them — one stored variant
// per coding, `Vary: Accept-Encoding` already on the head — is copied into a new entry while it
// is sent (never buffered before the first byte); the entry is inserted when the body ended
// whole, dropped when it grows past max_object_size or the response breaks. Also: X-Cache and
// Cache-Status on misses, browser_ttl, invalidation of Location / Content-Location after an
// unsafe method. Never delays or changes the bytes the client gets.
#include <algorithm>

#include <fmt/format.h>

#include "cache/freshness.hpp"
#include "cache/stored_head.hpp"
#include "cache/vary.hpp"
#include "gateway/pipeline/request_context.hpp"
#include "gateway/pipeline/response_sink.hpp"
#include "gateway/stages/cache_route.hpp"
#include "gateway/stages/stages.hpp"
#include "gateway/worker.hpp"
#include "http/ascii.hpp"

namespace flotilla::gateway {
namespace {

// Copies what the client gets into `entry`, behind the route's other transform (or none).
class CacheTee final : public BodyTransform {
 public:
  CacheTee(BodyTransformPtr inner, std::shared_ptr<cache::StoredResponse> entry,
           cache::MemoryStore& store, std::string key, std::uint64_t max_size)
      : inner_(std::move(inner)),
        entry_(std::move(entry)),
        store_(store),
        key_(std::move(key)),
        max_size_(max_size) {}

  void feed(std::string_view in, bool flush, bool last) override {
    last_ = last;
    if (inner_) {
      inner_->feed(in, flush, last);
    } else {
      pending_ = in;
      pending_taken_ = false;
    }
  }

  Output next() override {
    Output out;
    if (inner_) {
      out = inner_->next();
    } else if (!pending_taken_) {
      out.data = pending_;
      pending_taken_ = true;
    }
    if (out.failed) {
      entry_.reset();
      return out;
    }
    if (entry_) {
      if (entry_->body.size() + out.data.size() > max_size_) {
        entry_.reset();  // too large: passed through, not stored
      } else {
        entry_->body.append(out.data);
      }
    }
    if (entry_ && last_ && !out.more) {
      store_.insert(key_, std::move(entry_));
      entry_.reset();
    }
    return out;
  }

  void release() noexcept override {
    std::unique_ptr<CacheTee> self(this);
    cache_flight_end(key_);  // stored or not, the misses waiting for it may look again
  }

 private:
  BodyTransformPtr inner_;
  std::shared_ptr<cache::StoredResponse> entry_;
  cache::MemoryStore& store_;
  std::string key_;
  std::uint64_t max_size_;
  std::string_view pending_;
  bool pending_taken_ = true;
  bool last_ = false;
};

// Sends a stored body in place of the one the producer has (a 304's none, an error page).
class Replay final : public BodyTransform {
 public:
  explicit Replay(std::shared_ptr<const cache::StoredResponse> entry) : entry_(std::move(entry)) {}
  void feed(std::string_view, bool, bool last) override { last_ = last; }
  Output next() override {
    Output out;
    if (last_ && !sent_) {
      out.data = entry_->body;
      sent_ = true;
    }
    return out;
  }
  void release() noexcept override { std::unique_ptr<Replay> self(this); }

 private:
  std::shared_ptr<const cache::StoredResponse> entry_;
  bool last_ = false;
  bool sent_ = false;
};

bool invalidating_method(http::Method m) {
  return m != http::Method::kGet && m != http::Method::kHead && m != http::Method::kOptions &&
         m != http::Method::kTrace;
}

// The fields of the head as it goes out: the forwarded ones the edits keep, then added lines.
void outgoing_fields(const ResponseHeadOut& head, std::vector<cache::Field>& out) {
  out.clear();
  if (head.forwarded) {
    for (const http::Header& field : head.forwarded->headers) {
      if (field.connection_option) continue;
      bool dropped = false;
      if (head.edits) {
        if (field.id != http::HeaderId::kOther &&
            (head.edits->drop_ids() & http::header_bit(field.id)) != 0) {
          dropped = true;
        }
        for (const std::string_view name : head.edits->drop_names()) {
          if (same_header_name(name, field.name)) dropped = true;
        }
      }
      if (!dropped) out.push_back({field.name, field.value});
    }
  }
  if (!head.edits) return;
  std::string_view lines = head.edits->lines();
  while (!lines.empty()) {
    const std::size_t end = lines.find("\r\n");
    const std::string_view line = lines.substr(0, end);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      out.push_back({line.substr(0, colon), http::trim_ows(line.substr(colon + 1))});
    }
    if (end == std::string_view::npos) break;
    lines.remove_prefix(end + 2);
  }
}

// Fields of the fetching request that are not the response's: never stored.
bool per_request(std::string_view name) {
  return http::ascii_iequals(name, "x-request-id") || http::ascii_iequals(name, "via") ||
         http::ascii_iequals(name, "x-cache") || http::ascii_iequals(name, "cache-status") ||
         http::ascii_iequals(name, "content-length");
}

class CacheStoreStage final : public ResponseBodyStage {
 public:
  CacheStoreStage(std::shared_ptr<const CacheRouteSettings> settings,
                  std::vector<std::shared_ptr<const ResponseBodyStage>> inner)
      : settings_(std::move(settings)), inner_(std::move(inner)) {}
  std::string_view name() const noexcept override { return "cache_store"; }

  BodyTransformPtr start(RequestContext& ctx, ResponseHeadOut& head,
                         HeaderEdits& edits) const override {
    if (ctx.scratch.cache.stale) {
      if (BodyTransformPtr replayed = from_stale(ctx, head, edits)) return replayed;
    }
    BodyTransformPtr transform;
    for (const auto& stage : inner_) {
      transform = stage->start(ctx, head, edits);
      if (transform) break;
    }
    CacheScratch& scratch = ctx.scratch.cache;
    thread_local std::vector<cache::Field> fields;
    outgoing_fields(head, fields);
    if (invalidating_method(ctx.head.method) && head.status < 400)
      invalidate_locations(ctx, fields);
    std::shared_ptr<cache::StoredResponse> entry;
    if (scratch.store) entry = entry_for(ctx, head, fields);
    // What the client sees about the cache, and the browser's lifetime (after the entry took
    // the origin's).
    edits.add("X-Cache", scratch.x_cache);
    ctx.worker.metrics().cache_request(scratch.x_cache == "MISS" ? observe::CacheResult::miss
                                       : scratch.x_cache == "EXPIRED"
                                           ? observe::CacheResult::expired
                                           : observe::CacheResult::bypass);
    edits.add("Cache-Status",
              fmt::format("flotilla; fwd={}{}", scratch.forward, entry ? "; stored" : ""));
    if (settings_->browser_ttl && head.status < 400) {
      edits.remove("Cache-Control");
      edits.add("Cache-Control", fmt::format("max-age={}", *settings_->browser_ttl));
    }
    if (!entry) {
      if (scratch.store) cache_flight_end(scratch.key);
      return transform;
    }
    auto tee = std::make_unique<CacheTee>(std::move(transform), std::move(entry),
                                          worker_cache_store(*settings_), scratch.key,
                                          settings_->policy.max_object_size);
    return BodyTransformPtr(tee.release());
  }

 private:
  // A stale entry answers instead of the producer's response: refreshed by the origin's 304
  // (§4.3.4: its fields merged into the stored ones), or as it is when the origin failed within
  // stale-if-error (the response's, else the route's) or, for the gateway's own 502/503/504 (no
  // instance ready, none reachable), serve_stale_when_down. Never past must-revalidate.
  BodyTransformPtr from_stale(RequestContext& ctx, ResponseHeadOut& head,
                              HeaderEdits& edits) const {
    CacheScratch& scratch = ctx.scratch.cache;
    std::shared_ptr<const cache::StoredResponse> entry = scratch.stale;
    scratch.stale.reset();
    const std::int64_t now = cache_now();
    std::string_view x_cache;
    if (scratch.validating && head.status == 304 && head.forwarded) {
      auto refreshed = std::make_shared<cache::StoredResponse>(*entry);
      const cache::Fields not_modified = as_fields(head.forwarded->headers);
      cache::merge_not_modified(refreshed->headers, not_modified);
      const std::vector<cache::Field> merged = refreshed->fields();
      refreshed->facts = cache::response_facts(refreshed->status, merged);
      refreshed->request_time = scratch.request_time;
      refreshed->response_time = now;
      worker_cache_store(*settings_).insert(scratch.key, refreshed);
      entry = std::move(refreshed);
      x_cache = "REVALIDATED";
      ctx.worker.metrics().cache_request(observe::CacheResult::revalidated);
    } else if (head.status >= 500 && head.status <= 504 && !cache::stale_forbidden(entry->facts)) {
      std::int64_t window =
          entry->facts.cc.directives.stale_if_error.value_or(settings_->stale_if_error);
      if (!head.forwarded && head.status != 500 && head.status != 501) {
        window = std::max(window, settings_->serve_stale_when_down);
      }
      if (scratch.stale_for > window) return nullptr;
      x_cache = "STALE";
      ctx.worker.metrics().cache_request(observe::CacheResult::stale);
    } else {
      return nullptr;
    }
    edits.clear();
    add_stored_fields(edits, entry->headers);
    const std::int64_t age =
        cache::current_age(entry->facts, entry->request_time, entry->response_time, now);
    edits.add("Age", fmt::format("{}", age));
    edits.add("X-Cache", x_cache);
    edits.add("Cache-Status", x_cache == "STALE" ? "flotilla; hit; fwd=stale; detail=error"
                                                 : "flotilla; fwd=stale; fwd-status=304");
    edits.add("X-Request-Id", request_id(ctx));
    head.forwarded = nullptr;
    head.status = entry->status;
    const bool no_body = entry->status == 204 || entry->status == 304;
    head.length = no_body ? BodyLength::kNone : BodyLength::kKnown;
    head.content_length = no_body ? 0 : entry->body.size();
    auto replay = std::make_unique<Replay>(std::move(entry));
    return BodyTransformPtr(replay.release());
  }

  std::shared_ptr<cache::StoredResponse> entry_for(RequestContext& ctx, const ResponseHeadOut& head,
                                                   cache::Fields fields) const {
    if (head.upgrade) return nullptr;
    if (head.length == BodyLength::kKnown &&
        head.content_length > settings_->policy.max_object_size) {
      return nullptr;
    }
    // Like nginx, a response setting a cookie is not shared.
    if (cache::has_field(fields, "set-cookie")) return nullptr;
    const cache::Fields request = as_fields(ctx.head.headers);
    cache::RequestInfo info;
    info.method = "GET";
    info.has_authorization = cache::has_field(request, "authorization");
    cache::ResponseFacts facts = cache::response_facts(head.status, fields);
    if (cache::storable(info, facts, fields, settings_->policy) != cache::Storable::kYes) {
      return nullptr;
    }
    const std::int64_t now = cache_now();
    if (cache::freshness_lifetime(facts, settings_->policy, now) <= 0) return nullptr;
    auto entry = std::make_shared<cache::StoredResponse>();
    entry->status = head.status;
    for (auto& [name, value] : cache::headers_to_store(fields)) {
      if (!per_request(name)) entry->headers.emplace_back(std::move(name), std::move(value));
    }
    entry->facts = std::move(facts);
    entry->request_time = ctx.scratch.cache.request_time;
    entry->response_time = now;
    entry->vary = cache::vary_selection(fields, request);
    if (entry->vary.star) return nullptr;
    if (head.length == BodyLength::kKnown) entry->body.reserve(head.content_length);
    return entry;
  }

  // §4.4: Location and Content-Location of a successful unsafe request, on the same origin.
  void invalidate_locations(RequestContext& ctx, cache::Fields fields) const {
    cache::MemoryStore& store = worker_cache_store(*settings_);
    for (std::string_view name : {"location", "content-location"}) {
      bool found = false;
      const std::string_view url = cache::field_value(fields, name, &found);
      if (!found) continue;
      const std::string key = same_origin_key(ctx, url);
      if (key.empty()) continue;
      store.erase(key);
      store.erase_prefix(key + '\n');
    }
  }

  std::shared_ptr<const CacheRouteSettings> settings_;
  std::vector<std::shared_ptr<const ResponseBodyStage>> inner_;
};

}  // namespace

std::shared_ptr<const ResponseBodyStage> make_cache_store_stage(
    std::shared_ptr<const CacheRouteSettings> settings,
    std::vector<std::shared_ptr<const ResponseBodyStage>> inner) {
  return std::make_shared<CacheStoreStage>(std::move(settings), std::move(inner));
}

}  // namespace flotilla::gateway
