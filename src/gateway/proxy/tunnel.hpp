// After a 101 Switching Protocols (WebSocket and other upgrades), the two connections become a
// byte tunnel: copied both ways, half-closes propagated, closed after `idle` with no traffic.
// The one place bytes are relayed: the client end is a socket (HTTP/1) or a TunnelPeer (an
// HTTP/2 stream, RFC 8441). Never parses what it relays.
#pragma once

#include <chrono>
#include <string_view>

#include "gateway/pipeline/tunnel_peer.hpp"
#include "net/async.hpp"
#include "tls/stream.hpp"

namespace flotilla::gateway {

// `to_upstream_first` / `to_client_first` are bytes already read from one side for the other.
net::Awaitable<void> run_tunnel(tls::Stream& client, tls::Stream& upstream,
                                std::string_view to_upstream_first,
                                std::string_view to_client_first, std::chrono::milliseconds idle);
net::Awaitable<void> run_tunnel(TunnelPeer& client, tls::Stream& upstream,
                                std::string_view to_upstream_first,
                                std::string_view to_client_first, std::chrono::milliseconds idle);

}  // namespace flotilla::gateway
