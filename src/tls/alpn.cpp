// ALPN wire format and selection (see alpn.hpp).
#include "tls/alpn.hpp"

#include <fmt/format.h>

namespace flotilla::tls {
namespace {

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length,
                const unsigned char* offered, unsigned int offered_length, void* arg) {
  const auto* wire = static_cast<const std::string*>(arg);
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
