// One attempt of an exchange against one endpoint: lease or open a connection, send the head and
// the body, then hand over to the response relay. Never retries by itself; reports how it ended.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "net/async.hpp"
#include "gateway/exchange.hpp"

namespace flotilla::gateway {

net::Awaitable<AttemptResult> run_attempt(Exchange& exchange, const asio::ip::tcp::endpoint& endpoint);

// Whether a response with `status` should be dropped for a retry instead of being forwarded;
// when it says yes it has also taken a slot of the retry budget. Defined by proxy_exchange.cpp.
bool retry_on_status(Exchange& exchange, int status);

}  // namespace flotilla::gateway
