// OCSP stapling: loading the DER OCSPResponse a certificate entry names (it must be a successful
// response about that certificate) and the status callback that staples it for whichever
// certificate OpenSSL chose. Never fetches responses from a responder (no network I/O).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <openssl/ssl.h>

namespace flotilla::tls {

struct OcspStaple {
  std::string der;
  std::optional<std::chrono::system_clock::time_point> next_update;  // of this certificate's
};

// nullopt and a message naming the file when it is unreadable, not a DER OCSPResponse, not
// "successful", or has no status for `leaf` (matched by serial number).
std::optional<OcspStaple> load_ocsp_staple(const std::filesystem::path& path, X509* leaf,
                                           std::string& error);

// The certificates of one SSL_CTX and their staples; must outlive the SSL_CTX's connections.
using OcspStaples = std::vector<std::pair<X509*, std::string>>;

// Staples `staples` (looked up by the certificate OpenSSL chose for the connection) to every
// handshake whose client asks for certificate status.
void enable_ocsp_stapling(SSL_CTX* context, const OcspStaples* staples);

}  // namespace flotilla::tls
