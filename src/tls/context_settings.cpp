// Shared SSL_CTX settings: options, protocol range, ciphers and groups (see context_settings.hpp).
#include "tls/context_settings.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <openssl/err.h>

#include "tls/error_category.hpp"
#include "tls/openssl_handles.hpp"

namespace flotilla::tls {
namespace {

int version_number(config::TlsProtocol protocol) {
  return protocol == config::TlsProtocol::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

bool has(const std::vector<config::TlsProtocol>& protocols, config::TlsProtocol protocol) {
  return std::find(protocols.begin(), protocols.end(), protocol) != protocols.end();
}

// Ciphers of the context usable with TLS 1.3 (true) or with TLS 1.2 (false).
int count_ciphers(SSL_CTX* context, bool tls13) {
  int count = 0;
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(context);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const bool is13 =
        std::string_view(SSL_CIPHER_get_version(sk_SSL_CIPHER_value(ciphers, i))) == "TLSv1.3";
    if (is13 == tls13) ++count;
  }
  return count;
}

// OpenSSL ignores unknown TLS 1.3 suite names; each one is tried alone to name the bad one.
std::string unknown_ciphersuite(const std::string& ciphersuites) {
  SslCtxPtr scratch(SSL_CTX_new(TLS_method()));
  if (!scratch) return {};
  std::size_t start = 0;
  while (start <= ciphersuites.size()) {
    std::size_t end = ciphersuites.find(':', start);
    if (end == std::string::npos) end = ciphersuites.size();
    const std::string name = ciphersuites.substr(start, end - start);
    if (!name.empty() && (SSL_CTX_set_ciphersuites(scratch.get(), name.c_str()) != 1 ||
                          count_ciphers(scratch.get(), true) == 0)) {
      ERR_clear_error();
      return name;
    }
    start = end + 1;
  }
  return {};
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ':';
    out += item;
  }
  return out;
}

}  // namespace

void apply_common_options(SSL_CTX* context) {
  SSL_CTX_set_options(
      context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_read_ahead(context, 1);
}

bool apply_protocols(SSL_CTX* context, const std::vector<config::TlsProtocol>& protocols,
                     std::string& error) {
  if (protocols.empty()) {
    error = "protocols: no TLS version enabled";
    return false;
  }
  int low = TLS1_3_VERSION;
  int high = TLS1_2_VERSION;
  for (const config::TlsProtocol protocol : protocols) {
    low = std::min(low, version_number(protocol));
    high = std::max(high, version_number(protocol));
  }
  if (SSL_CTX_set_min_proto_version(context, low) != 1 ||
      SSL_CTX_set_max_proto_version(context, high) != 1) {
    error = "protocols: " + drain_openssl_errors();
    return false;
  }
  return true;
}

bool apply_ciphers(SSL_CTX* context, const std::vector<config::TlsProtocol>& protocols,
                   const std::string& ciphers, const std::string& ciphersuites,
                   const std::vector<std::string>& groups, std::string& error) {
  const std::string cipher_list = ciphers.empty() ? std::string(kDefaultCiphers) : ciphers;
  if (SSL_CTX_set_cipher_list(context, cipher_list.c_str()) != 1 ||
      (has(protocols, config::TlsProtocol::tls1_2) && count_ciphers(context, false) == 0)) {
    ERR_clear_error();
    error = fmt::format("ciphers: no usable TLS 1.2 cipher in \"{}\"", cipher_list);
    return false;
  }
  const std::string suites =
      ciphersuites.empty() ? std::string(kDefaultCiphersuites) : ciphersuites;
  if (const std::string bad = unknown_ciphersuite(suites); !bad.empty()) {
    error = fmt::format("ciphersuites: unknown TLS 1.3 cipher suite \"{}\"", bad);
    return false;
  }
  if (SSL_CTX_set_ciphersuites(context, suites.c_str()) != 1 ||
      (has(protocols, config::TlsProtocol::tls1_3) && count_ciphers(context, true) == 0)) {
    ERR_clear_error();
    error = fmt::format("ciphersuites: no usable TLS 1.3 cipher suite in \"{}\"", suites);
    return false;
  }
  const std::string group_list = groups.empty() ? std::string(kDefaultGroups) : join(groups);
  if (SSL_CTX_set1_groups_list(context, group_list.c_str()) != 1) {
    ERR_clear_error();
    error = fmt::format("groups: unknown key exchange group in \"{}\"", group_list);
    return false;
  }
  return true;
}

std::string cipher_settings_problem(const config::Tls& tls) {
  SslCtxPtr scratch(SSL_CTX_new(TLS_server_method()));
  if (!scratch) return "cannot create a TLS context: " + drain_openssl_errors();
  std::string error;
  if (!apply_protocols(scratch.get(), tls.protocols, error)) return error;
  if (!apply_ciphers(scratch.get(), tls.protocols, tls.ciphers, tls.ciphersuites, tls.groups,
                     error)) {
    return error;
  }
  return {};
}

}  // namespace flotilla::tls
