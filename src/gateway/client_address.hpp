// Who the client is: the connection's peer (after a PROXY protocol header, the address it
// carried), or — only when that peer is a trusted proxy — the address a trusted chain of proxies
// reported in X-Forwarded-For (else Forwarded). Pure: never trusts a header from a peer that
// is not in the trusted set, never allocates.
#pragma once

#include <optional>
#include <string_view>

#include "http/message.hpp"
#include "net/ip_address.hpp"

namespace flotilla::gateway {

// The rightmost hop that is not itself a trusted proxy: X-Forwarded-For's lines taken as one
// list (nginx real_ip_recursive), else Forwarded's `for=` values (RFC 7239). A hop that is not
// an address (`unknown`, an obfuscated `_id`, garbage) ends the walk at the last trusted hop;
// when every hop is trusted, the leftmost one. A trusted proxy must set X-Forwarded-For when it
// passes Forwarded through untouched (they all do), or a client could name itself in Forwarded.
net::IpAddress resolve_client_address(const net::IpAddress& peer, const net::CidrSet& trusted,
                                      const http::RequestHead& head) noexcept;

// One hop's address from a list element: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1",
// "[2001:db8::1]:4711", a quoted Forwarded value "\"[2001:db8::1]:4711\"".
std::optional<net::IpAddress> parse_hop(std::string_view text) noexcept;

}  // namespace flotilla::gateway
