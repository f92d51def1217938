// Loading and stapling OCSP responses (see ocsp_staple.hpp).
#include "tls/ocsp_staple.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "tls/certificate_file.hpp"
#include "tls/certificate_info.hpp"
#include "tls/openssl_handles.hpp"

namespace flotilla::tls {
namespace {

// OpenSSL calls this after choosing the certificate (RSA or ECDSA), which SSL_get_certificate
// then returns; the response is copied because OpenSSL frees what it is given.
int staple_status(SSL* ssl, void* arg) {
  const auto* staples = static_cast<const OcspStaples*>(arg);
  const X509* chosen = SSL_get_certificate(ssl);
  for (const auto& [cert, der] : *staples) {
    if (cert != chosen) continue;
    auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(der.data(), der.size()));
    if (copy == nullptr) return SSL_TLSEXT_ERR_NOACK;
    SSL_set_tlsext_status_ocsp_resp(ssl, copy, static_cast<long>(der.size()));
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

std::optional<OcspStaple> load_ocsp_staple(const std::filesystem::path& path, X509* leaf,
                                           std::string& error) {
  OcspStaple staple;
  if (!read_small_file(path, "OCSP response", staple.der, error)) return std::nullopt;
  const auto* cursor = reinterpret_cast<const unsigned char*>(staple.der.data());
  OcspResponsePtr response(
      d2i_OCSP_RESPONSE(nullptr, &cursor, static_cast<long>(staple.der.size())));
  ERR_clear_error();
  if (!response) {
    error = fmt::format("OCSP response {} is not a DER OCSPResponse", path.string());
    return std::nullopt;
  }
  const int status = OCSP_response_status(response.get());
  if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    error = fmt::format("OCSP response {} is not successful ({})", path.string(),
                        OCSP_response_status_str(status));
    return std::nullopt;
  }
  OcspBasicPtr basic(OCSP_response_get1_basic(response.get()));
  if (!basic) {
    error = fmt::format("OCSP response {} has no basic response", path.string());
    return std::nullopt;
  }
  const ASN1_INTEGER* serial = X509_get0_serialNumber(leaf);
  for (int i = 0; i < OCSP_resp_count(basic.get()); ++i) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), i);
    ASN1_INTEGER* single_serial = nullptr;
    OCSP_id_get0_info(nullptr, nullptr, nullptr, &single_serial,
                      const_cast<OCSP_CERTID*>(OCSP_SINGLERESP_get0_id(single)));
    if (single_serial == nullptr || ASN1_INTEGER_cmp(single_serial, serial) != 0) continue;
    int reason = 0;
    ASN1_GENERALIZEDTIME* revoked_at = nullptr;
    ASN1_GENERALIZEDTIME* this_update = nullptr;
    ASN1_GENERALIZEDTIME* next_update = nullptr;
    const int cert_status =
        OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
    if (cert_status == V_OCSP_CERTSTATUS_REVOKED) {
      error = fmt::format("OCSP response {} says the certificate is revoked", path.string());
      return std::nullopt;
    }
    if (next_update != nullptr) staple.next_update = to_time_point(next_update);
    return staple;
  }
  error = fmt::format("OCSP response {} has no status for this certificate (serial number)",
                      path.string());
  return std::nullopt;
}

void enable_ocsp_stapling(SSL_CTX* context, const OcspStaples* staples) {
  SSL_CTX_set_tlsext_status_cb(context, &staple_status);
  SSL_CTX_set_tlsext_status_arg(context, const_cast<OcspStaples*>(staples));
}

}  // namespace flotilla::tls
