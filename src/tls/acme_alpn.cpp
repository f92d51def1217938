// The TLS-ALPN-01 hooks (see acme_alpn.hpp). The client-hello callback runs first, before SNI
// switches contexts: it only marks the SSL. The certificate callback runs after the switch
// and before OpenSSL picks a certificate, so the challenge certificate set there on the SSL
// itself wins over every context's own.
#include "tls/acme_alpn.hpp"

#include <atomic>
#include <cctype>
#include <mutex>

namespace flotilla::tls {
namespace {

// libstdc++ 12's atomic<shared_ptr> takes an internal lock; only validations read it.
std::atomic<std::shared_ptr<const AlpnChallengeCertificates>>& table() {
  static std::atomic<std::shared_ptr<const AlpnChallengeCertificates>> instance;
  return instance;
}

int marker_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

char kMarked = 1;

// Whether the ClientHello's ALPN list holds "acme-tls/1".
bool offers_acme_tls(SSL* ssl) {
  const unsigned char* data = nullptr;
  std::size_t length = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &data,
                                &length) != 1 ||
      length < 2) {
    return false;
  }
  std::size_t at = 2;  // after the list's own length
  while (at < length) {
    const std::size_t size = data[at++];
    if (at + size > length) return false;
    if (std::string_view(reinterpret_cast<const char*>(data + at), size) == kAcmeTlsAlpn) {
      return true;
    }
    at += size;
  }
  return false;
}

int on_client_hello(SSL* ssl, int*, void*) {
  const auto current = table().load();
  if (current && !current->empty() && offers_acme_tls(ssl)) {
    SSL_set_ex_data(ssl, marker_index(), &kMarked);
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

int on_certificate(SSL* ssl, void*) {
  if (!is_acme_alpn_handshake(ssl)) return 1;
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return 0;  // a validation always names the domain
  std::string domain(name);
  for (char& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto current = table().load();
  const auto found = current ? current->find(domain) : AlpnChallengeCertificates::const_iterator{};
  if (!current || found == current->end()) return 0;  // fails the handshake: nothing to prove
  if (SSL_use_certificate(ssl, found->second.cert.get()) != 1 ||
      SSL_use_PrivateKey(ssl, found->second.key.get()) != 1) {
    return 0;
  }
  return 1;
}

}  // namespace

void publish_alpn_challenges(std::shared_ptr<const AlpnChallengeCertificates> table_in) {
  table().store(std::move(table_in));
}

void enable_acme_alpn(SSL_CTX* context) {
  SSL_CTX_set_client_hello_cb(context, &on_client_hello, nullptr);
  SSL_CTX_set_cert_cb(context, &on_certificate, nullptr);
}

bool is_acme_alpn_handshake(SSL* ssl) {
  return SSL_get_ex_data(ssl, marker_index()) == &kMarked;
}

}  // namespace flotilla::tls
