// The demo's WebSocket endpoint: the RFC 6455 opening handshake on /ws, then an echo session
// over the same connection. Never negotiates extensions or subprotocols.
#pragma once

#include <asio.hpp>

#include "demo/demo_stream.hpp"

namespace flotilla::demo {

// Client payloads above this are refused with close code 1009.
inline constexpr std::uint64_t kWsMaxPayload = 16 * 1024 * 1024;

// Echoes data frames back frame by frame (same opcode, FIN and payload, unmasked), answers ping
// with pong, close with close; returns when the session ends. Bytes already buffered in
// `stream` (sent right after the handshake) are the first frames.
asio::awaitable<void> run_websocket_echo(DemoStream& stream);

}  // namespace flotilla::demo
