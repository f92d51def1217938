// The SSL_CTX settings server and client contexts share: protocol range, cipher and group lists
// with their safe defaults, and the options every flotilla TLS connection runs with. Applies
// settings to a context it is given; never loads certificates and never creates connections.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <openssl/ssl.h>

#include "config/spec.hpp"

namespace flotilla::tls {

// TLS 1.2: forward secrecy and AEAD only (ECDHE with AES-GCM or CHACHA20-POLY1305), no CBC.
inline constexpr std::string_view kDefaultCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr std::string_view kDefaultCiphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
inline constexpr std::string_view kDefaultGroups = "X25519:P-256:P-384";

// Compression and renegotiation off; SSL_MODE_RELEASE_BUFFERS (an idle connection holds no
// record buffers); read-ahead on (one recv() fills several records instead of two recv() per
// record); partial writes and a moving write buffer allowed; a TCP FIN without close_notify
// reads as end of stream (as nginx does: many clients never send close_notify, and treating it
// as an error would also drop their sessions from the cache).
void apply_common_options(SSL_CTX* context);

// min/max protocol version from the list; false and a message when the list is empty.
bool apply_protocols(SSL_CTX* context, const std::vector<config::TlsProtocol>& protocols,
                     std::string& error);

// TLS 1.2 cipher list, TLS 1.3 suites and key-exchange groups (empty: the defaults above).
// Unknown names, or a list leaving an enabled protocol without a cipher, are errors.
bool apply_ciphers(SSL_CTX* context, const std::vector<config::TlsProtocol>& protocols,
                   const std::string& ciphers, const std::string& ciphersuites,
                   const std::vector<std::string>& groups, std::string& error);

// The same checks on a scratch context, for `flotilla check`: empty when the lists are usable.
std::string cipher_settings_problem(const config::Tls& tls);

}  // namespace flotilla::tls
