// ALPN (RFC 7301) on the server: the offered protocols in wire format and the select callback
// choosing the server's first preference the client also offers. Knows protocol names only as
// bytes; never decides which protocols a listener offers (the caller does).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <openssl/ssl.h>

namespace flotilla::tls {

// "\x08http/1.1\x02h2" for {"http/1.1", "h2"}; nullopt and a message for an empty or overlong
// (> 255 bytes) name.
std::optional<std::string> alpn_wire_format(const std::vector<std::string>& protocols,
                                            std::string& error);

// Selects over `wire` (server preference order). A client offering none of them still gets its
// handshake, without ALPN, and may speak HTTP/1.1 (RFC 7301 §3.2 would refuse it with
// no_application_protocol; refusing cuts off clients that offer only, say, "h2" to an
// http/1.1-only listener). `wire` must outlive the context's connections.
void enable_alpn_select(SSL_CTX* context, const std::string* wire);

}  // namespace flotilla::tls
