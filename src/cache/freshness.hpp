// RFC 9111 for a shared cache, as pure functions of a response's fields and times: whether it may
// be stored (§3, §3.5), its freshness lifetime (§4.2.1, heuristics only per §4.2.2, the operator's
// TTL clamp), its current age (§4.2.3), and whether a stored response may answer a request
// (§4.2, §5.2.1, §5.2.2). Times are seconds since the epoch; never reads a clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "cache/cache_control.hpp"
#include "cache/fields.hpp"
#include "cache/policy.hpp"

namespace flotilla::cache {

// What the cache keeps about a response's caching headers (computed once, when stored).
struct ResponseFacts {
  int status = 200;
  SelectedDirectives cc;
  std::optional<std::int64_t> date;           // Date
  std::optional<std::int64_t> last_modified;  // Last-Modified
  bool has_expires = false;
  std::optional<std::int64_t> expires;  // nullopt with has_expires: invalid → already expired
  std::int64_t age_value = 0;           // Age (invalid → 0)
};

ResponseFacts response_facts(int status, Fields fields);

// Statuses that are heuristically cacheable by default (RFC 9110 §15.1).
bool heuristically_cacheable(int status) noexcept;

enum class Storable {
  kYes,
  kMethod,         // not GET
  kStatus,         // 1xx, 206, 304 or a status the cache does not understand
  kNoStore,        // no-store in the response or the request
  kPrivate,        // private, unqualified
  kAuthorization,  // request had Authorization and the response does not allow sharing it
  kVaryStar,       // Vary: * can never be served
  kNoFreshness,    // nothing makes it fresh or reusable
};
std::string_view storable_name(Storable s) noexcept;

struct RequestInfo {
  std::string_view method = "GET";
  bool has_authorization = false;
  bool no_store = false;  // the request's Cache-Control: no-store
};

Storable storable(const RequestInfo& request, const ResponseFacts& response, Fields fields,
                  const Policy& policy);

// §4.2.1 + §4.2.2 + the operator's clamp, in seconds; `response_time` stands in for a missing Date.
std::int64_t freshness_lifetime(const ResponseFacts& r, const Policy& policy,
                                std::int64_t response_time);

// §4.2.3: the age of a stored response at `now`.
std::int64_t current_age(const ResponseFacts& r, std::int64_t request_time,
                         std::int64_t response_time, std::int64_t now);

// Whether the stored response must be validated even while fresh (no-cache) and whether it may be
// served stale at all without validation (must-revalidate, proxy-revalidate, s-maxage).
bool requires_validation(const ResponseFacts& r) noexcept;
bool stale_forbidden(const ResponseFacts& r) noexcept;

enum class Usability {
  kFresh,         // serve as it is
  kStaleAllowed,  // stale, but the request's max-stale allows it
  // Revalidate with the origin: stale, no-cache on either side, or too old for the request's
  // max-age / min-fresh.
  kMustValidate,
};

// Whether a stored response of `lifetime` and `age` may answer a request with `req`.
Usability usability(const ResponseFacts& r, std::int64_t lifetime, std::int64_t age,
                    const RequestDirectives& req) noexcept;

}  // namespace flotilla::cache
