// TLS-ALPN-01 (RFC 8737) on the server side: the challenge certificates the control thread
// publishes (one per domain being validated), and the handshake hooks that answer a client
// offering ALPN "acme-tls/1" with the domain's challenge certificate and that protocol. A
// published table is immutable and swapped whole (readers on worker threads take a reference
// once per such handshake); ordinary handshakes never touch it. Never knows ACME beyond that.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "tls/openssl_handles.hpp"

namespace flotilla::tls {

inline constexpr std::string_view kAcmeTlsAlpn = "acme-tls/1";

struct AlpnChallengeCertificate {
  X509Ptr cert;
  EvpPkeyPtr key;
};
// Keyed by the lowercase domain (the SNI the validation server sends).
using AlpnChallengeCertificates = std::map<std::string, AlpnChallengeCertificate, std::less<>>;

// Control thread: replaces the table (nullptr or empty: no challenge is answered).
void publish_alpn_challenges(std::shared_ptr<const AlpnChallengeCertificates> table);

// Installs the client-hello and certificate hooks on `context` (every server context a
// connection may move to by SNI).
void enable_acme_alpn(SSL_CTX* context);

// In the ALPN select callback: true when this handshake is a TLS-ALPN-01 validation we answer
// (then "acme-tls/1" is the protocol to select).
bool is_acme_alpn_handshake(SSL* ssl);

}  // namespace flotilla::tls
