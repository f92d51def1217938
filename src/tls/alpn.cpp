// ALPN wire format and selection (see alpn.hpp).
#include "tls/alpn.hpp"

#include <fmt/format.h>

#include "tls/acme_alpn.hpp"

namespace flotilla::tls {
namespace {

int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* out_length,
                const unsigned char* offered, unsigned int offered_length, void* arg) {
  const auto* wire = static_cast<const std::string*>(arg);
  if (is_acme_alpn_handshake(ssl)) {  // RFC 8737 §3: a validation negotiates acme-tls/1 only
    static const std::string kAcmeWire = std::string(1, '\x0a') + std::string(kAcmeTlsAlpn);
    wire = &kAcmeWire;
  }
  unsigned char* chosen = nullptr;
  unsigned char chosen_length = 0;
  const int result = SSL_select_next_proto(
      &chosen, &chosen_length, reinterpret_cast<const unsigned char*>(wire->data()),
      static_cast<unsigned int>(wire->size()), offered, offered_length);
  if (result != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  *out_length = chosen_length;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::optional<std::string> alpn_wire_format(const std::vector<std::string>& protocols,
                                            std::string& error) {
  std::string wire;
  for (const std::string& protocol : protocols) {
    if (protocol.empty() || protocol.size() > 255) {
      error = fmt::format("ALPN protocol name \"{}\" must be 1-255 bytes", protocol);
      return std::nullopt;
    }
    wire += static_cast<char>(protocol.size());
    wire += protocol;
  }
  return wire;
}

void enable_alpn_select(SSL_CTX* context, const std::string* wire) {
  SSL_CTX_set_alpn_select_cb(context, &select_alpn, const_cast<std::string*>(wire));
}

}  // namespace flotilla::tls
