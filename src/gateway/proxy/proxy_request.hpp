// The proxy, the terminal stage of a route with an upstream: the exchange of one request with
// the upstream's endpoints — pick an endpoint, obtain a response head, decide (retry_decision),
// then forward the response or try another endpoint, or answer 502/503/504. The only place
// retries and tunnels are decided; the only owner of the attempt's upstream connection.
#pragma once

#include "gateway/pipeline/request_context.hpp"
#include "net/async.hpp"

namespace flotilla::gateway {

struct WorkerUpstream;

net::Awaitable<void> proxy_request(RequestContext& ctx, WorkerUpstream& upstream);

}  // namespace flotilla::gateway
