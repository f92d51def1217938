// The request head an upstream gets: the client's head as views, minus hop-by-hop fields and
// the ones the proxy sets, plus X-Forwarded-*, Via, X-Request-Id, Host when needed, the
// upstream-request stages' header rules and canonical framing. Built once per exchange, reused
// by every attempt. Never does I/O.
#pragma once

#include "gateway/proxy/exchange.hpp"

namespace flotilla::gateway {

void prepare_upstream_head(Exchange& exchange);

// Whether the request's Upgrade goes to the upstream (WebSocket...): never an h2c one.
bool upgrade_forwarded(const http::RequestHead& head) noexcept;

}  // namespace flotilla::gateway
