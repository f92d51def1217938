#include "client/endpoint.hpp"

#include <charconv>

#include <fmt/format.h>

namespace flotilla::client {
namespace {

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::uint16_t default_port(Endpoint::Scheme scheme) {
  return scheme == Endpoint::Scheme::kHttps ? 443 : 80;
}

std::string_view scheme_text(Endpoint::Scheme scheme) {
  return scheme == Endpoint::Scheme::kHttps ? "https" : "http";
}

}  // namespace

Endpoint Endpoint::tcp(std::string host, std::uint16_t port) {
  Endpoint endpoint;
  endpoint.host = std::move(host);
  endpoint.port = port;
  return endpoint;
}

Endpoint Endpoint::unix_socket(std::string path) {
  Endpoint endpoint;
  endpoint.kind = Kind::kUnix;
  endpoint.socket_path = std::move(path);
  return endpoint;
}

std::string Endpoint::authority() const {
  if (kind == Kind::kUnix) return "localhost";
  if (port == default_port(scheme)) return bracketed(host);
  return fmt::format("{}:{}", bracketed(host), port);
}

std::string Endpoint::display() const {
  if (kind == Kind::kUnix) return socket_path;
  return fmt::format("{}://{}:{}", scheme_text(scheme), bracketed(host), port);
}

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  const auto fail = [&](std::string_view why) {
    error = fmt::format("'{}': {}", text, why);
    return std::nullopt;
  };
  Url url;
  std::string_view rest = text;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
    url.endpoint.scheme = Endpoint::Scheme::kHttps;
  } else {
    return fail("expected http://HOST[:PORT][/PATH]");
  }
  url.endpoint.port = default_port(url.endpoint.scheme);
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.path = std::string(rest.substr(slash));
  while (url.path.size() > 1 && url.path.back() == '/') url.path.pop_back();
  if (url.path.find_first_of("?# \t\r\n") != std::string::npos) {
    return fail("the path may not hold a query, a fragment or spaces");
  }
  std::string_view port;
  bool has_port = false;
  if (authority.starts_with('[')) {  // [v6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in the host");
    url.endpoint.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') return fail("expected ':PORT' after ']'");
      port = authority.substr(1);
      has_port = true;
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    url.endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
  }
  if (url.endpoint.host.empty()) return fail("no host");
  if (url.endpoint.host.find_first_of("@/ \t\r\n") != std::string::npos) {
    return fail("invalid host");
  }
  if (has_port) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return fail("the port must be a number from 1 to 65535");
    }
    url.endpoint.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace flotilla::client
