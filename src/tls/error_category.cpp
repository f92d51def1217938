// The TLS error category: packing OpenSSL's error codes into std::error_code values and naming
// them with OpenSSL's reason strings (see error_category.hpp for the value layout).
#include "tls/error_category.hpp"

#include <openssl/ssl.h>

#include <cstdlib>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509.h>

namespace flotilla::tls {
namespace {

int pack(int library, int reason) {
  return static_cast<int>(ERR_PACK(library, 0, reason));
}

std::string errc_text(int reason) {
  switch (static_cast<Errc>(reason)) {
    case Errc::kUnexpectedEof:
      return "connection closed by the peer";
    case Errc::kNoHandshake:
      return "no established TLS session";
    case Errc::kSetupFailed:
      return "cannot set up the TLS connection";
  }
  return fmt::format("tls error {}", reason);
}

std::string reason_text(unsigned long packed) {
  const int library = ERR_GET_LIB(packed);
  const int reason = ERR_GET_REASON(packed);
  if (library == kVerifyLibrary) {
    return fmt::format("certificate verify failed: {}", X509_verify_cert_error_string(reason));
  }
  if (library == kFlotillaLibrary) return errc_text(reason);
  // The reason strings load with libssl's initialisation; a message may be asked for before
  // any context was made (once is enough; OpenSSL makes the call thread-safe).
  static const bool strings_loaded =
      OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  (void)strings_loaded;
  if (const char* text = ERR_reason_error_string(packed)) return text;
  if (const char* lib_text = ERR_lib_error_string(packed)) {
    return fmt::format("{} error {}", lib_text, reason);
  }
  return fmt::format("OpenSSL error {}:{}", library, reason);
}

class TlsCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tls"; }
  std::string message(int value) const override {
    if (value == 0) return "success";
    if (value > 0) return reason_text(static_cast<unsigned long>(value));
    return "handshake failed: " + reason_text(static_cast<unsigned long>(-value));
  }
};

}  // namespace

const std::error_category& category() {
  static const TlsCategory instance;
  return instance;
}

std::error_code make_error_code(Errc errc, bool handshake) {
  const int value = pack(kFlotillaLibrary, static_cast<int>(errc));
  return {handshake ? -value : value, category()};
}

std::error_code openssl_error(unsigned long packed, bool handshake) {
  if (ERR_SYSTEM_ERROR(packed)) {
    return {static_cast<int>(ERR_GET_REASON(packed)), std::system_category()};
  }
  const int value = pack(ERR_GET_LIB(packed), ERR_GET_REASON(packed));
  if (value == 0) return make_error_code(Errc::kSetupFailed, handshake);
  return {handshake ? -value : value, category()};
}

std::error_code verify_error(long result, bool handshake) {
  const int value = pack(kVerifyLibrary, static_cast<int>(result));
  return {handshake ? -value : value, category()};
}

bool is_handshake_error(const std::error_code& error) {
  return error.category() == category() && error.value() < 0;
}

bool is_verify_error(const std::error_code& error) {
  if (error.category() != category()) return false;
  return ERR_GET_LIB(static_cast<unsigned long>(std::abs(error.value()))) == kVerifyLibrary;
}

std::string drain_openssl_errors() {
  std::string out;
  while (const unsigned long packed = ERR_get_error()) {
    if (!out.empty()) out += "; ";
    out += ERR_SYSTEM_ERROR(packed) ? std::system_category().message(ERR_GET_REASON(packed))
                                    : reason_text(packed);
  }
  return out;
}

}  // namespace flotilla::tls
