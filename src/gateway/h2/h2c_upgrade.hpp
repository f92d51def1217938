// `Upgrade: h2c` (RFC 7540 §3.2) on a plain listener with `http2: true`: which HTTP/1.1 requests
// may switch the connection to HTTP/2 (GET/HEAD/OPTIONS without a body, one HTTP2-Settings), the
// SETTINGS payload they carry (base64url), and their head as stream 1 sees it (Upgrade,
// HTTP2-Settings and Connection removed). Pure: no nghttp2, no session, no socket.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace flotilla::gateway::h2 {

inline constexpr std::string_view kSwitchingToH2c =
    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";

// The request asks for h2c (Upgrade: h2c, Connection: upgrade, HTTP/1.1), whether it can have it
// or not. Such an upgrade is for flotilla: it is never forwarded to an upstream.
bool asks_for_h2c(const http::RequestHead& head) noexcept;

// It can have it: a method without a body (GET, HEAD, OPTIONS), no body, exactly one
// HTTP2-Settings field; `settings` is then its value.
bool h2c_upgradable(const http::RequestHead& head, std::string_view& settings) noexcept;

// base64url (RFC 4648 §5, padding optional) into `out`; false when malformed or when the payload
// is not whole SETTINGS entries (6 bytes each).
bool decode_settings(std::string_view text, std::string& out);

// The head `raw` (request line through the final CRLF) without the Upgrade, HTTP2-Settings and
// Connection lines, into `out`; its size, 0 when it does not fit.
std::size_t head_without_upgrade(std::string_view raw, char* out, std::size_t capacity) noexcept;

}  // namespace flotilla::gateway::h2
