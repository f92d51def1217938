#include "gateway/client_address.hpp"

#include "http/ascii.hpp"

namespace flotilla::gateway {
namespace {

using http::HeaderId;

// Walks the hops from the right. `next_hop(head, id, state)` style would cost a frame; the
// lists are short, so the walk is two loops over the header lines from the last.
struct HopWalk {
  const net::CidrSet& trusted;
  net::IpAddress current;  // the last hop accepted (first: the peer)
  bool done = false;

  // One hop, right to left: false ends the walk.
  void hop(std::string_view text) noexcept {
    const auto address = parse_hop(text);
    if (!address) {
      done = true;  // not an address: stop at the last trusted hop
      return;
    }
    current = *address;
    if (!trusted.contains(current)) done = true;
  }
};

// The `for=` value of one Forwarded element ("for=1.2.3.4;proto=https"), or empty.
std::string_view forwarded_for_value(std::string_view element) noexcept {
  while (!element.empty()) {
    const std::size_t semi = element.find(';');
    const std::string_view pair = http::trim_ows(element.substr(0, semi));
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos &&
        http::ascii_iequals(http::trim_ows(pair.substr(0, eq)), "for")) {
      return http::trim_ows(pair.substr(eq + 1));
    }
    if (semi == std::string_view::npos) break;
    element.remove_prefix(semi + 1);
  }
  return {};
}

// Calls walk.hop on each comma-separated element of the lines with `id`, last line first and
// right to left; `forwarded` takes each element's for= value.
void walk_lines(const http::RequestHead& head, HeaderId id, bool forwarded,
                HopWalk& walk) noexcept {
  for (std::size_t i = head.headers.size(); i-- > 0 && !walk.done;) {
    const http::Header& header = head.headers[i];
    if (header.id != id) continue;
    std::string_view value = header.value;
    while (!walk.done) {
      const std::size_t comma = value.rfind(',');
      const std::string_view element =
          http::trim_ows(comma == std::string_view::npos ? value : value.substr(comma + 1));
      if (!element.empty()) walk.hop(forwarded ? forwarded_for_value(element) : element);
      if (comma == std::string_view::npos) break;
      value = value.substr(0, comma);
    }
  }
}

bool has_line(const http::RequestHead& head, HeaderId id) noexcept {
  for (const http::Header& header : head.headers) {
    if (header.id == id && !header.value.empty()) return true;
  }
  return false;
}

}  // namespace

std::optional<net::IpAddress> parse_hop(std::string_view text) noexcept {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty()) return std::nullopt;
  if (text.front() == '[') {  // [v6] or [v6]:port
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return net::IpAddress::parse(text.substr(1, close - 1));
  }
  // One colon: IPv4 with a port. Several: a bare IPv6 address.
  const std::size_t colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    text = text.substr(0, colon);
  }
  return net::IpAddress::parse(text);
}

net::IpAddress resolve_client_address(const net::IpAddress& peer, const net::CidrSet& trusted,
                                      const http::RequestHead& head) noexcept {
  if (trusted.empty() || !trusted.contains(peer)) return peer;
  HopWalk walk{trusted, peer};
  if (has_line(head, HeaderId::kXForwardedFor)) {
    walk_lines(head, HeaderId::kXForwardedFor, false, walk);
  } else {
    walk_lines(head, HeaderId::kForwarded, true, walk);
  }
  return walk.current;
}

}  // namespace flotilla::gateway
