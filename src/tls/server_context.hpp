// One TLS listener's server side: its certificates grouped by name set into one SSL_CTX per set
// (RSA and ECDSA of the same names share one, OpenSSL picks by what the client supports), SNI
// switching between sets, protocols, ciphers, session cache and tickets, OCSP stapling, ALPN and
// client certificates. Built on the control thread, immutable afterwards, shared by every worker.
// Never does I/O after build() and never knows HTTP.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/ssl.h>

#include "config/spec.hpp"
#include "tls/certificate_info.hpp"
#include "tls/ocsp_staple.hpp"
#include "tls/openssl_handles.hpp"
#include "tls/sni_selector.hpp"

namespace flotilla::tls {

class ServerContext : public std::enable_shared_from_this<ServerContext> {
 public:
  // nullptr and `error` ("listen[1].tls.certificates[0]: key /k.pem does not match certificate
  // /c.pem") when anything is wrong: unreadable or unparsable files, a key mismatch, a chain out
  // of order, an expired or not yet valid certificate, two certificates of one key type for the
  // same names, a bad OCSP file, a bad client_ca, invalid cipher/group lists. `alpn`: the
  // protocols offered in preference order ("http/1.1"; "h2" later); empty: no ALPN. `where`
  // prefixes every message ("listen[1].tls").
  static std::shared_ptr<const ServerContext> build(const config::Tls& tls,
                                                    std::vector<std::string> alpn,
                                                    std::string_view where, std::string& error);

  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;
  ~ServerContext();

  // The default certificate set's context (the first certificate's names); a connection starts
  // here, and SNI moves it to another set's context during the handshake.
  SSL_CTX* context() const { return sets_.front()->context.get(); }
  // In configuration order.
  const std::vector<CertificateInfo>& certificates() const { return certificates_; }
  const config::Tls& settings() const { return settings_; }
  const std::vector<std::string>& alpn() const { return alpn_; }
  // Distinct name sets (one SSL_CTX each).
  std::size_t certificate_sets() const { return sets_.size(); }

 private:
  struct CertificateSet {
    std::vector<std::string> names;    // sorted: the grouping key
    std::vector<std::size_t> members;  // indexes into certificates_
    std::vector<int> key_ids;          // EVP_PKEY base id per member: one of each kind
    SslCtxPtr context;
    std::vector<X509Ptr> leaves;  // kept alive for the staples' X509* keys
    OcspStaples staples;
  };

  ServerContext() = default;
  bool add_certificates(std::string_view where, std::string& error);
  bool configure(SSL_CTX* context, std::string_view where, std::string& error);
  static int on_server_name(SSL* ssl, int* alert, void* arg);

  config::Tls settings_;
  std::vector<std::string> alpn_;
  std::string alpn_wire_;
  std::vector<CertificateInfo> certificates_;
  std::vector<std::unique_ptr<CertificateSet>> sets_;  // [0] is the default; stable addresses
  SniSelector sni_;
  std::vector<X509Ptr> client_cas_;
  std::string session_id_context_;
};

}  // namespace flotilla::tls
