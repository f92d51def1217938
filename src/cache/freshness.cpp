// RFC 9111 storability, freshness, age and reuse for a shared cache (freshness.hpp). Every rule
// cites its section; where the RFC leaves a choice, the conservative one is taken and said.
// Never reads a clock or touches a store.
#include "cache/freshness.hpp"

#include <algorithm>

#include "cache/http_dates.hpp"
#include "http/ascii.hpp"

namespace flotilla::cache {
namespace {

// Heuristic freshness: 10 % of the time since Last-Modified (§4.2.2), at most a day.
constexpr std::int64_t kHeuristicCap = 24 * 3600;

std::optional<std::int64_t> age_field(Fields fields) {
  bool found = false;
  const std::string_view value = http::trim_ows(field_value(fields, "age", &found));
  if (!found || value.empty()) return std::nullopt;
  std::int64_t out = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;  // invalid Age is ignored (§5.1)
    out = std::min<std::int64_t>(out * 10 + (c - '0'), kMaxDeltaSeconds);
  }
  return out;
}

}  // namespace

ResponseFacts response_facts(int status, Fields fields) {
  ResponseFacts out;
  out.status = status;
  out.cc = select_response_directives(fields);
  bool found = false;
  const std::string_view date = field_value(fields, "date", &found);
  if (found) out.date = parse_http_date(date);
  const std::string_view last_modified = field_value(fields, "last-modified", &found);
  if (found) out.last_modified = parse_http_date(last_modified);
  const std::string_view expires = field_value(fields, "expires", &found);
  if (found) {
    out.has_expires = true;
    out.expires = parse_http_date(expires);
  }
  out.age_value = age_field(fields).value_or(0);
  return out;
}

bool heuristically_cacheable(int status) noexcept {
  switch (status) {
    case 200:
    case 203:
    case 204:
    case 206:
    case 300:
    case 301:
    case 308:
    case 404:
    case 405:
    case 410:
    case 414:
    case 501:
      return true;
    default:
      return false;
  }
}

std::string_view storable_name(Storable s) noexcept {
  switch (s) {
    case Storable::kYes:
      return "stored";
    case Storable::kMethod:
      return "method";
    case Storable::kStatus:
      return "status";
    case Storable::kNoStore:
      return "no-store";
    case Storable::kPrivate:
      return "private";
    case Storable::kAuthorization:
      return "authorization";
    case Storable::kVaryStar:
      return "vary-star";
    case Storable::kNoFreshness:
      return "no-freshness";
  }
  return "?";
}

Storable storable(const RequestInfo& request, const ResponseFacts& r, Fields fields,
                  const Policy& policy) {
  const ResponseDirectives& cc = r.cc.directives;
  // §3: a method the cache understands and defines as cacheable; HEAD is answered from a GET.
  if (request.method != "GET") return Storable::kMethod;
  // A final status; partial content and 304 are not stored as new responses (§3.3, §4.3.4).
  if (r.status < 200 || r.status == 206 || r.status == 304 || r.status > 599) {
    return Storable::kStatus;
  }
  if (cc.no_store || request.no_store) return Storable::kNoStore;  // §5.2.2.5, §5.2.1.5
  // §5.2.2.7: a qualified private may store the rest; this cache treats it as unqualified.
  if (cc.private_) return Storable::kPrivate;
  // §3.5: Authorization only with must-revalidate, public or s-maxage.
  if (request.has_authorization && !cc.must_revalidate && !cc.public_ && !cc.s_maxage) {
    return Storable::kAuthorization;
  }
  // §4.1: Vary: * always fails to match; storing it would only cost memory.
  const std::string vary = combined_value(fields, "vary");
  for (std::size_t i = 0; i < vary.size(); ++i) {
    if (vary[i] == '*') return Storable::kVaryStar;
  }
  // §3: public, an explicit lifetime (Expires counts unless a targeted field replaced it), a
  // heuristically cacheable status, or the operator's word.
  const bool expires = r.has_expires && !r.cc.targeted();
  if (cc.public_ || cc.has_explicit_lifetime() || expires || heuristically_cacheable(r.status) ||
      cc.no_cache || (policy.cache_everything && policy.ttl.default_)) {
    return Storable::kYes;
  }
  return Storable::kNoFreshness;
}

std::int64_t freshness_lifetime(const ResponseFacts& r, const Policy& policy,
                                std::int64_t response_time) {
  const ResponseDirectives& cc = r.cc.directives;
  std::optional<std::int64_t> lifetime;
  if (cc.s_maxage) {
    lifetime = *cc.s_maxage;
  } else if (cc.max_age) {
    lifetime = *cc.max_age;
  } else if (r.has_expires && !r.cc.targeted()) {
    // An invalid Expires (e.g. "0") is in the past (§5.3); Date missing → the response time.
    lifetime =
        r.expires ? std::max<std::int64_t>(0, *r.expires - r.date.value_or(response_time)) : 0;
  }
  const TtlPolicy& ttl = policy.ttl;
  if (lifetime) {
    // The operator's floor never makes a response that must be revalidated fresh.
    if (ttl.min && !cc.no_cache && !cc.must_revalidate && !cc.proxy_revalidate) {
      lifetime = std::max(*lifetime, *ttl.min);
    }
  } else if (ttl.default_) {
    lifetime = *ttl.default_;
  } else if (heuristically_cacheable(r.status) && r.last_modified && !cc.no_cache) {
    // §4.2.2: only without explicit freshness; 10 % of the interval, capped.
    const std::int64_t since = r.date.value_or(response_time) - *r.last_modified;
    lifetime = std::clamp<std::int64_t>(since / 10, 0, kHeuristicCap);
  } else {
    lifetime = 0;
  }
  if (ttl.max) lifetime = std::min(*lifetime, *ttl.max);
  return std::max<std::int64_t>(0, *lifetime);
}

std::int64_t current_age(const ResponseFacts& r, std::int64_t request_time,
                         std::int64_t response_time, std::int64_t now) {
  const std::int64_t apparent_age =
      std::max<std::int64_t>(0, response_time - r.date.value_or(response_time));
  const std::int64_t response_delay = std::max<std::int64_t>(0, response_time - request_time);
  const std::int64_t corrected_age_value = r.age_value + response_delay;
  const std::int64_t corrected_initial_age = std::max(apparent_age, corrected_age_value);
  const std::int64_t resident_time = std::max<std::int64_t>(0, now - response_time);
  return corrected_initial_age + resident_time;
}

bool requires_validation(const ResponseFacts& r) noexcept {
  // A qualified no-cache is treated as unqualified (allowed: it only validates more often).
  return r.cc.directives.no_cache;
}

bool stale_forbidden(const ResponseFacts& r) noexcept {
  const ResponseDirectives& cc = r.cc.directives;
  return cc.must_revalidate || cc.proxy_revalidate || cc.s_maxage.has_value();  // §5.2.2.10
}

Usability usability(const ResponseFacts& r, std::int64_t lifetime, std::int64_t age,
                    const RequestDirectives& req) noexcept {
  if (req.no_cache || requires_validation(r)) return Usability::kMustValidate;
  // §5.2.1.1; max-age=0 asks for validation even of a response that is not a second old (ages
  // are whole seconds here).
  if (req.max_age && (age > *req.max_age || *req.max_age == 0)) return Usability::kMustValidate;
  if (req.min_fresh && lifetime - age < *req.min_fresh) return Usability::kMustValidate;
  if (age < lifetime) return Usability::kFresh;
  // §4.2.4 / §5.2.1.2: stale only with the request's max-stale, never past a revalidate rule.
  if (req.max_stale && !stale_forbidden(r) &&
      (!req.max_stale_s || age - lifetime <= *req.max_stale_s)) {
    return Usability::kStaleAllowed;
  }
  return Usability::kMustValidate;
}

}  // namespace flotilla::cache
