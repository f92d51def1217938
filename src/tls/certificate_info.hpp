// What a certificate says about itself (names, subject, key type, validity), read from an X509
// for `flotilla check`, status and metrics. Pure reading: never loads files or judges validity.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <openssl/x509.h>

namespace flotilla::tls {

struct CertificateInfo {
  std::filesystem::path cert_path;
  std::vector<std::string> names;  // DNS SANs, lowercase (the CN when there is no DNS SAN)
  std::string subject;             // one line, RFC 2253
  std::string key_type;            // "ECDSA P-256", "RSA 2048", "Ed25519"
  std::chrono::system_clock::time_point not_before, not_after;
};

CertificateInfo describe_certificate(X509* cert, const std::filesystem::path& path);

// "CN=a,O=b" (RFC 2253, UTF-8).
std::string one_line_name(const X509_NAME* name);
// "ECDSA P-256", "RSA 2048", "Ed25519"; OpenSSL's short name for other key types.
std::string key_type_name(const EVP_PKEY* key);
std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time);
// "2026-03-01 12:00:00 UTC"
std::string format_utc(std::chrono::system_clock::time_point time);

}  // namespace flotilla::tls
