// The order of a request's stages, in one place: the listener's request stages, routing, the
// route's request stages, then the terminal (the proxy); every answer passes the response-head
// stages of the route and the listener. Protocol-neutral: the connection that parsed the request
// calls it and then decides about the connection itself. Never reads or writes a socket.
#pragma once

#include "gateway/pipeline/request_context.hpp"
#include "net/async.hpp"

namespace flotilla::gateway {

net::Awaitable<void> serve_request(RequestContext& ctx);

// Sends `answer` through ctx.sink, after the response-head stages (and closes the connection
// afterwards when the request body was not read).
net::Awaitable<void> send_answer(RequestContext& ctx, const LocalAnswer& answer);

// Runs the listener's and the route's response-head stages for a response with `status`
// into ctx.scratch.response_edits (which may already hold lines of the response's producer).
void run_response_head_stages(RequestContext& ctx, int status);

}  // namespace flotilla::gateway
