// The head a cache keeps and replays: which fields are stored (never hop-by-hop ones or those
// named in Connection, RFC 9111 §3.1), how a 304 updates them (§3.2, §4.3.4), the validators a
// revalidation sends (§4.3.1), and a client's own conditional request answered from an entry
// (RFC 9110 §13.2.2). Pure; never decides freshness.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/fields.hpp"

namespace flotilla::cache {

using FieldList = std::vector<std::pair<std::string, std::string>>;

// The fields of a response worth storing, in order.
FieldList headers_to_store(Fields response_fields);

// §3.2: a 304's fields replace the stored ones of the same name, except framing and
// Content-* fields that describe the stored body (Content-Length, Content-Encoding, ...).
void merge_not_modified(FieldList& stored, Fields not_modified_fields);

// The validators for a revalidation: If-None-Match from ETag, else If-Modified-Since from
// Last-Modified. Empty when the entry has neither.
FieldList validators_for(const FieldList& stored);

// Whether a client's GET/HEAD with `request_fields` can be answered 304 from an entry with
// `stored` fields: If-None-Match (weak comparison) when present, else If-Modified-Since against
// Last-Modified (or Date).
bool client_not_modified(Fields request_fields, const FieldList& stored);

// Whether the request carries a condition the cache cannot evaluate on the client's behalf
// (If-Match, If-Unmodified-Since, If-Range, Range): such requests go to the origin.
bool has_unhandled_condition(Fields request_fields) noexcept;

}  // namespace flotilla::cache
