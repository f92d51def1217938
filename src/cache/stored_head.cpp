// Stored heads, 304 merging, validators and client conditionals (stored_head.hpp).
#include "cache/stored_head.hpp"

#include <algorithm>

#include "cache/http_dates.hpp"
#include "http/ascii.hpp"

namespace flotilla::cache {
namespace {

constexpr std::string_view kHopByHop[] = {
    "connection", "keep-alive",         "proxy-connection",    "te", "trailer", "transfer-encoding",
    "upgrade",    "proxy-authenticate", "proxy-authorization", "age"};

// Fields a 304 must not change: they describe the stored representation's bytes.
constexpr std::string_view kBodyFields[] = {"content-length", "content-encoding", "content-range",
                                            "transfer-encoding"};

bool named_in(std::string_view name, std::string_view list) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (http::ascii_iequals(http::trim_ows(list.substr(0, comma)), name)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

template <std::size_t N>
bool one_of(std::string_view name, const std::string_view (&names)[N]) {
  return std::any_of(std::begin(names), std::end(names),
                     [&](std::string_view n) { return http::ascii_iequals(n, name); });
}

std::string_view stored_value(const FieldList& stored, std::string_view name) {
  for (const auto& [n, v] : stored) {
    if (http::ascii_iequals(n, name)) return v;
  }
  return {};
}

// RFC 9110 §8.8.3.2 weak comparison of one entity-tag against a list (or "*").
bool etag_in_list(std::string_view list, std::string_view etag) {
  if (etag.empty()) return false;
  auto opaque = [](std::string_view t) {
    t = http::trim_ows(t);
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  const std::string_view want = opaque(etag);
  if (http::trim_ows(list) == "*") return true;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (opaque(list.substr(0, comma)) == want) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

FieldList headers_to_store(Fields response_fields) {
  const std::string connection = combined_value(response_fields, "connection");
  FieldList out;
  for (const Field& f : response_fields) {
    if (one_of(f.name, kHopByHop) || named_in(f.name, connection)) continue;
    out.emplace_back(std::string(f.name), std::string(f.value));
  }
  return out;
}

void merge_not_modified(FieldList& stored, Fields not_modified_fields) {
  const std::string connection = combined_value(not_modified_fields, "connection");
  std::vector<std::string_view> replaced;
  for (const Field& f : not_modified_fields) {
    if (one_of(f.name, kHopByHop) || one_of(f.name, kBodyFields) || named_in(f.name, connection)) {
      continue;
    }
    const bool first = std::none_of(replaced.begin(), replaced.end(), [&](std::string_view n) {
      return http::ascii_iequals(n, f.name);
    });
    if (first) {
      std::erase_if(stored, [&](const auto& s) { return http::ascii_iequals(s.first, f.name); });
      replaced.push_back(f.name);
    }
    stored.emplace_back(std::string(f.name), std::string(f.value));
  }
}

FieldList validators_for(const FieldList& stored) {
  FieldList out;
  const std::string_view etag = stored_value(stored, "etag");
  if (!etag.empty()) out.emplace_back("If-None-Match", std::string(etag));
  const std::string_view last_modified = stored_value(stored, "last-modified");
  if (!last_modified.empty()) out.emplace_back("If-Modified-Since", std::string(last_modified));
  return out;
}

bool client_not_modified(Fields request_fields, const FieldList& stored) {
  bool found = false;
  const std::string inm = combined_value(request_fields, "if-none-match");
  if (has_field(request_fields, "if-none-match")) {
    return etag_in_list(inm, stored_value(stored, "etag"));
  }
  const std::string_view ims = field_value(request_fields, "if-modified-since", &found);
  if (!found) return false;
  const auto since = parse_http_date(ims);
  std::string_view reference = stored_value(stored, "last-modified");
  if (reference.empty()) reference = stored_value(stored, "date");
  const auto modified = parse_http_date(reference);
  return since && modified && *modified <= *since;
}

bool has_unhandled_condition(Fields request_fields) noexcept {
  return has_field(request_fields, "if-match") ||
         has_field(request_fields, "if-unmodified-since") ||
         has_field(request_fields, "if-range") || has_field(request_fields, "range");
}

}  // namespace flotilla::cache
