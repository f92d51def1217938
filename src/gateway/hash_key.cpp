#include "gateway/hash_key.hpp"

#include <strings.h>

namespace flotilla::gateway {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view find_cookie(std::string_view cookie_header, std::string_view name) noexcept {
  while (!cookie_header.empty()) {
    const auto end = cookie_header.find(';');
    const std::string_view pair = trim(cookie_header.substr(0, end));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    if (end == std::string_view::npos) break;
    cookie_header.remove_prefix(end + 1);
  }
  return {};
}

std::string_view hash_key(const http::RequestHead& head, const upstream::UpstreamSpec& spec,
                          std::string_view client_ip) noexcept {
  using upstream::BalanceKind;
  using upstream::HashSource;
  if (spec.balance == BalanceKind::ip_hash) return client_ip;
  if (spec.balance != BalanceKind::consistent_hash) return {};
  switch (spec.hash.source) {
    case HashSource::client_ip:
      return client_ip;
    case HashSource::header:
      for (const http::Header& header : head.headers) {
        if (iequals(header.name, spec.hash.name)) return header.value;
      }
      return {};
    case HashSource::cookie:
      for (const http::Header& header : head.headers) {
        if (header.id != http::HeaderId::kCookie) continue;
        if (const auto value = find_cookie(header.value, spec.hash.name); !value.empty())
          return value;
      }
      return {};
  }
  return {};
}

}  // namespace flotilla::gateway
