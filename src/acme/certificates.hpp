// The X.509 objects ACME needs made locally: the certificate key (ECDSA P-256), the CSR sent at
// finalisation, the temporary self-signed certificate served until one is issued, and the
// RFC 8737 TLS-ALPN-01 challenge certificate carrying the acmeIdentifier extension. Pure
// OpenSSL on memory: never touches a file or a socket.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/openssl_handles.hpp"

namespace flotilla::acme {

tls::EvpPkeyPtr new_certificate_key();  // ECDSA P-256
std::string key_pem(EVP_PKEY* key);
std::string certificate_pem(X509* cert);

// The DER CSR for `domains` (the first is the subject CN, all are DNS SANs), signed by `key`.
std::string make_csr(EVP_PKEY* key, const std::vector<std::string>& domains);

// A self-signed certificate for `domains`, valid from an hour ago for `lifetime`.
tls::X509Ptr self_signed(EVP_PKEY* key, const std::vector<std::string>& domains,
                         std::chrono::seconds lifetime, std::string_view common_name);

// RFC 8737 §3: self-signed, one DNS SAN `domain`, the critical id-pe-acmeIdentifier extension
// holding SHA-256(key_authorization) as an OCTET STRING.
tls::X509Ptr tls_alpn_certificate(EVP_PKEY* key, std::string_view domain,
                                  std::string_view key_authorization);

// The leaf of a PEM chain as its facts: names, issuer, validity, whether it is self-signed.
struct StoredCertificate {
  std::vector<std::string> names;
  std::string issuer;
  std::chrono::system_clock::time_point not_before, not_after;
  bool self_signed = false;
};
std::optional<StoredCertificate> read_leaf(std::string_view pem);

}  // namespace flotilla::acme
