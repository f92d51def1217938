// Maps a demo request to its handler (path + method), answering 404/405 itself, and applies the
// /admin switches that affect every /api/* request (injected delay and failures).
#pragma once

#include <asio.hpp>

#include "demo/demo_exchange.hpp"

namespace flotilla::demo {

asio::awaitable<void> dispatch(Exchange& exchange);

}  // namespace flotilla::demo
