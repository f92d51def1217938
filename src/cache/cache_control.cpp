// Cache-Control / CDN-Cache-Control / Flotilla-Cache-Control parsing (cache_control.hpp): a list
// of `name[=token|"quoted"]` items. Never throws; a bad number is kept as 0 so the response is
// treated as stale rather than fresh.
#include "cache/cache_control.hpp"

#include <algorithm>

#include "http/ascii.hpp"

namespace flotilla::cache {
namespace {

struct Directive {
  std::string name;  // lower case
  std::string value;
  bool has_value = false;
};

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Splits `value` into directives; false when it is not a directive list.
bool split_directives(std::string_view value, std::vector<Directive>& out) {
  std::size_t i = 0;
  const std::size_t n = value.size();
  auto skip_ows = [&] {
    while (i < n && (value[i] == ' ' || value[i] == '\t')) ++i;
  };
  while (i < n) {
    skip_ows();
    if (i < n && value[i] == ',') {
      ++i;
      continue;
    }
    if (i >= n) break;
    Directive d;
    while (i < n && is_tchar(value[i])) d.name += http::ascii_lower(value[i++]);
    if (d.name.empty()) return false;
    skip_ows();
    if (i < n && value[i] == '=') {
      ++i;
      skip_ows();
      d.has_value = true;
      if (i < n && value[i] == '"') {
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = value[i++];
          if (c == '\\' && i < n) {
            d.value += value[i++];
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            d.value += c;
          }
        }
        if (!closed) return false;
      } else {
        while (i < n && is_tchar(value[i])) d.value += value[i++];
      }
      skip_ows();
    }
    if (i < n && value[i] != ',') return false;
    out.push_back(std::move(d));
  }
  return true;
}

// delta-seconds: digits only, capped at 2^31; anything else is 0 (invalid → stale).
std::int64_t delta_seconds(const Directive& d) {
  if (!d.has_value || d.value.empty()) return 0;
  std::int64_t out = 0;
  for (char c : d.value) {
    if (c < '0' || c > '9') return 0;
    out = std::min<std::int64_t>(out * 10 + (c - '0'), kMaxDeltaSeconds);
  }
  return out;
}

// `no-cache="a, b"` → {"a", "b"} lower case.
std::vector<std::string> field_names(const Directive& d) {
  std::vector<std::string> out;
  if (!d.has_value) return out;
  std::string_view rest = d.value;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = http::trim_ows(rest.substr(0, comma));
    if (!item.empty()) {
      std::string name;
      for (char c : item) name += http::ascii_lower(c);
      out.push_back(std::move(name));
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

void set_first(std::optional<std::int64_t>& slot, const Directive& d) {
  if (!slot) slot = delta_seconds(d);
}

}  // namespace

std::optional<ResponseDirectives> parse_response_directives(std::string_view value) {
  std::vector<Directive> list;
  if (!split_directives(value, list)) return std::nullopt;
  ResponseDirectives out;
  for (const Directive& d : list) {
    const std::string_view name = d.name;
    if (name == "max-age") {
      set_first(out.max_age, d);
    } else if (name == "s-maxage") {
      set_first(out.s_maxage, d);
    } else if (name == "stale-while-revalidate") {
      set_first(out.stale_while_revalidate, d);
    } else if (name == "stale-if-error") {
      set_first(out.stale_if_error, d);
    } else if (name == "no-store") {
      out.no_store = true;
    } else if (name == "no-cache") {
      out.no_cache = true;
      for (auto& f : field_names(d)) out.no_cache_fields.push_back(std::move(f));
    } else if (name == "private") {
      out.private_ = true;
      for (auto& f : field_names(d)) out.private_fields.push_back(std::move(f));
    } else if (name == "public") {
      out.public_ = true;
    } else if (name == "must-revalidate") {
      out.must_revalidate = true;
    } else if (name == "proxy-revalidate") {
      out.proxy_revalidate = true;
    } else if (name == "no-transform") {
      out.no_transform = true;
    } else if (name == "immutable") {
      out.immutable = true;
    }
  }
  return out;
}

SelectedDirectives select_response_directives(Fields fields) {
  SelectedDirectives out;
  const std::pair<std::string_view, DirectiveSource> targeted[] = {
      {"flotilla-cache-control", DirectiveSource::kFlotillaCacheControl},
      {"cdn-cache-control", DirectiveSource::kCdnCacheControl}};
  for (const auto& [name, source] : targeted) {
    if (!has_field(fields, name)) continue;
    if (auto parsed = parse_response_directives(combined_value(fields, name))) {
      out.directives = std::move(*parsed);
      out.source = source;
      return out;
    }
  }
  if (has_field(fields, "cache-control")) {
    const std::string value = combined_value(fields, "cache-control");
    if (auto parsed = parse_response_directives(value)) {
      out.directives = std::move(*parsed);
    } else {
      // Conservative: a garbled Cache-Control never makes a response storable.
      out.directives.no_store = true;
    }
    out.source = DirectiveSource::kCacheControl;
  }
  return out;
}

RequestDirectives parse_request_directives(Fields fields) {
  RequestDirectives out;
  if (!has_field(fields, "cache-control")) {
    const std::string pragma = combined_value(fields, "pragma");
    std::vector<Directive> list;
    if (split_directives(pragma, list)) {
      out.no_cache = std::any_of(list.begin(), list.end(),
                                 [](const Directive& d) { return d.name == "no-cache"; });
    }
    return out;
  }
  std::vector<Directive> list;
  if (!split_directives(combined_value(fields, "cache-control"), list)) return out;
  for (const Directive& d : list) {
    const std::string_view name = d.name;
    if (name == "max-age") {
      if (!out.max_age) out.max_age = delta_seconds(d);
    } else if (name == "min-fresh") {
      if (!out.min_fresh) out.min_fresh = delta_seconds(d);
    } else if (name == "max-stale") {
      if (!out.max_stale) {
        out.max_stale = true;
        if (d.has_value) out.max_stale_s = delta_seconds(d);
      }
    } else if (name == "no-cache") {
      out.no_cache = true;
    } else if (name == "no-store") {
      out.no_store = true;
    } else if (name == "only-if-cached") {
      out.only_if_cached = true;
    }
  }
  return out;
}

}  // namespace flotilla::cache
