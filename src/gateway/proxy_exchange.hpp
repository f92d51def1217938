// Proxies one parsed request to an upstream: validates what is buffered of its body, adds the
// forwarding headers, then runs attempts on different endpoints until one answers or the retry
// policy says stop, and answers 502/503/504 itself when none does.
#pragma once

#include <cstdint>

#include <asio/awaitable.hpp>

#include "net/async.hpp"
#include "gateway/client_session.hpp"
#include "gateway/snapshot.hpp"

namespace flotilla::gateway {

struct WorkerUpstream;

// Returns whether the client connection may carry another request. `route_index` is the
// route's index in the snapshot (reported to finish_request).
net::Awaitable<bool> proxy_request(ClientSession& session, const RouteTarget& route,
                              std::uint32_t route_index, WorkerUpstream& upstream);

}  // namespace flotilla::gateway
