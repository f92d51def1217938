// The demo app's endpoint handlers, one coroutine per endpoint, grouped by file: probes and
// simple /api/* answers (api_handlers.cpp), streamed bodies (stream_handlers.cpp), switches
// (admin_handlers.cpp) and the WebSocket echo (websocket_echo.cpp). Routing is demo_routes.cpp.
#pragma once

#include <asio.hpp>

#include "demo/demo_exchange.hpp"

namespace flotilla::demo {

// GET /health, GET /ready
asio::awaitable<void> handle_health(Exchange& exchange);
asio::awaitable<void> handle_ready(Exchange& exchange);

// GET /api/hello, /api/slow?ms=N, /api/status/{code}, /api/cpu?ms=N, /api/alloc?mb=N, /api/crash
asio::awaitable<void> handle_hello(Exchange& exchange);
asio::awaitable<void> handle_slow(Exchange& exchange);
asio::awaitable<void> handle_status(Exchange& exchange);
asio::awaitable<void> handle_cpu(Exchange& exchange);
asio::awaitable<void> handle_alloc(Exchange& exchange);
asio::awaitable<void> handle_crash(Exchange& exchange);
// GET /api/echo: the request head as JSON (method, target, headers) for proxy tests.
asio::awaitable<void> handle_echo_head(Exchange& exchange);

// GET /api/bytes?n=N[&chunked=1]; POST|PUT /api/echo (the body, streamed back).
asio::awaitable<void> handle_bytes(Exchange& exchange);
asio::awaitable<void> handle_echo_body(Exchange& exchange);

// /admin/{ready,unready,healthy,unhealthy,fail,slow,state}
asio::awaitable<void> handle_admin(Exchange& exchange);

// GET /ws with Upgrade: websocket.
asio::awaitable<void> handle_websocket(Exchange& exchange);

// Waits without blocking the thread (the connection's executor keeps serving others).
asio::awaitable<void> sleep_for(Exchange& exchange, std::chrono::milliseconds duration);

}  // namespace flotilla::demo
