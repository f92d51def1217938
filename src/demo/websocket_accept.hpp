// The RFC 6455 §4.2.2 opening-handshake key: Sec-WebSocket-Accept from Sec-WebSocket-Key.
// Pure functions (OpenSSL SHA-1 + base64); must never do I/O or keep state.
#pragma once

#include <string>
#include <string_view>

namespace flotilla::demo {

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), 28 characters.
std::string websocket_accept_key(std::string_view client_key);

// A Sec-WebSocket-Key must be the base64 of 16 bytes: 22 base64 characters then "==".
bool is_valid_websocket_key(std::string_view client_key) noexcept;

}  // namespace flotilla::demo
