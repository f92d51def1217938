// The protection keys (protection_spec.hpp): top-level `trusted_proxies` and `max_connections`;
// a listener's `allow`, `deny`, `trusted_proxies`, `proxy_protocol`, `max_connections`,
// `max_connections_per_client`, `min_rate`; a route's `allow`, `deny`, `methods`, `block`.
#include <arpa/inet.h>

#include <charconv>
#include <regex>

#include <fmt/format.h>

#include "config/parse_sections.hpp"

namespace flotilla::config {
namespace {

constexpr std::uint32_t kMaxConnectionLimit = 10'000'000;

// "10.0.0.0/8", "2001:db8::/32" or an address alone; host bits below the prefix are refused.
ValueType<std::string> cidr_type() {
  return {"a CIDR block such as 10.0.0.0/8", [](std::string_view text) -> ParseResult<std::string> {
            const std::size_t slash = text.find('/');
            const std::string address(text.substr(0, slash));
            unsigned char bytes[16] = {};
            const bool v6 = address.find(':') != std::string::npos;
            if (::inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), bytes) != 1) {
              return parse_error(
                  fmt::format("'{}' is not an IPv4 or IPv6 address or CIDR block "
                              "(e.g. 10.0.0.0/8, 2001:db8::/32)",
                              text));
            }
            const unsigned max = v6 ? 128 : 32;
            unsigned prefix = max;
            if (slash != std::string_view::npos) {
              const std::string_view digits = text.substr(slash + 1);
              const auto [end, ec] =
                  std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
              if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
                  prefix > max) {
                return parse_error(fmt::format("'{}': the prefix length must be 0..{}", text, max));
              }
            }
            for (unsigned bit = prefix; bit < max; ++bit) {
              if (bytes[bit / 8] & (0x80 >> (bit % 8))) {
                return parse_error(fmt::format(
                    "'{}': address bits are set below the /{} prefix (did you mean the network "
                    "address?)",
                    text, prefix));
              }
            }
            if (v6 && prefix < 96 && std::string_view(address).starts_with("::ffff:") &&
                address.find('.') != std::string::npos) {
              return parse_error(
                  fmt::format("'{}': an IPv4-mapped block needs a prefix of 96 "
                              "or more",
                              text));
            }
            return std::string(text);
          }};
}

// An HTTP method token (RFC 9110 §9: case-sensitive; the registered ones are upper case).
ValueType<std::string> method_type() {
  return {"an HTTP method such as GET", [](std::string_view text) -> ParseResult<std::string> {
            const bool token =
                !text.empty() && text.size() <= 32 &&
                text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ-_") == std::string_view::npos;
            if (!token) {
              return parse_error(fmt::format(
                  "'{}' is not a method: use upper-case names such as GET, HEAD, POST", text));
            }
            return std::string(text);
          }};
}

std::string regex_problem(std::string_view pattern) {
  try {
    std::regex(pattern.begin(), pattern.end(), std::regex::ECMAScript);
    return {};
  } catch (const std::regex_error& error) {
    return fmt::format("invalid regular expression '{}': {}", pattern, error.what());
  }
}

ValueType<std::string> regex_type() {
  return {"a regular expression", [](std::string_view text) -> ParseResult<std::string> {
            if (text.empty()) return parse_error("must not be empty");
            if (std::string problem = regex_problem(text); !problem.empty()) {
              return parse_error(std::move(problem));
            }
            return std::string(text);
          }};
}

void read_access(const MapReader& r, AccessRules& out) {
  r.read_list("allow", out.allow, cidr_type(), /*allow_single=*/true);
  r.read_list("deny", out.deny, cidr_type(), /*allow_single=*/true);
}

void read_block(const MapReader& r, std::optional<RequestBlock>& out) {
  const auto block = r.child("block", {"path_regex", "user_agent", "header"});
  if (!block) return;
  RequestBlock rules;
  block->read("path_regex", rules.path_regex, regex_type());
  block->read("user_agent", rules.user_agent, regex_type());
  block->read_pairs(
      "header",
      [&](std::string name, std::string value) {
        rules.headers.emplace_back(std::move(name), std::move(value));
      },
      check_header_name, regex_problem);
  out = std::move(rules);
}

void read_min_rate(const MapReader& r, MinRate& out) {
  const auto min_rate = r.child("min_rate", {"rate", "window"});
  if (!min_rate) return;
  min_rate->require("rate");
  min_rate->read("rate", out.rate, size_type());
  min_rate->read("window", out.window, positive_duration_type());
}

}  // namespace

void parse_global_protection(const MapReader& top, GlobalProtection& out) {
  top.read_list("trusted_proxies", out.trusted_proxies, cidr_type(), /*allow_single=*/true);
  top.read("max_connections", out.max_connections, count_type(1, kMaxConnectionLimit));
}

void parse_listener_protection(const MapReader& listener, ListenerProtection& out) {
  read_access(listener, out.access);
  std::vector<std::string> trusted;
  if (listener.read_list("trusted_proxies", trusted, cidr_type(), /*allow_single=*/true)) {
    out.trusted_proxies = std::move(trusted);
  }
  listener.read("proxy_protocol", out.proxy_protocol, bool_type());
  listener.read("max_connections", out.max_connections, count_type(1, kMaxConnectionLimit));
  listener.read("max_connections_per_client", out.max_connections_per_client,
                count_type(1, kMaxConnectionLimit));
  read_min_rate(listener, out.min_rate);
}

void parse_route_protection(const MapReader& route, RouteProtection& out) {
  read_access(route, out.access);
  route.read_list("methods", out.methods, method_type(), /*allow_single=*/true);
  read_block(route, out.block);
}

}  // namespace flotilla::config
