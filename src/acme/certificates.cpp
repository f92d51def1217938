// Local X.509 work for ACME (see certificates.hpp).
#include "acme/certificates.hpp"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include "tls/certificate_info.hpp"

namespace flotilla::acme {
namespace {

// 1.3.6.1.5.5.7.1.31 (RFC 8737 §6.1).
constexpr const char* kAcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

X509_EXTENSION* san_extension(const std::vector<std::string>& domains) {
  std::string value;
  for (const std::string& domain : domains) {
    if (!value.empty()) value += ',';
    value += "DNS:" + domain;
  }
  return X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, value.c_str());
}

void set_name(X509_NAME* name, std::string_view common_name) {
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.data()),
                             static_cast<int>(common_name.size()), -1, 0);
}

tls::X509Ptr new_certificate(EVP_PKEY* key, std::string_view common_name,
                             std::chrono::seconds lifetime) {
  tls::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get()));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(lifetime.count()));
  set_name(X509_get_subject_name(cert.get()), common_name);
  set_name(X509_get_issuer_name(cert.get()), common_name);
  X509_set_pubkey(cert.get(), key);
  return cert;
}

}  // namespace

tls::EvpPkeyPtr new_certificate_key() {
  return tls::EvpPkeyPtr(EVP_EC_gen("P-256"));
}

std::string key_pem(EVP_PKEY* key) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

std::string certificate_pem(X509* cert) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return bio_text(bio.get());
}

std::string make_csr(EVP_PKEY* key, const std::vector<std::string>& domains) {
  using ReqPtr = std::unique_ptr<X509_REQ, tls::OpenSslDeleter<X509_REQ_free>>;
  ReqPtr request(X509_REQ_new());
  X509_REQ_set_version(request.get(), 0);
  set_name(X509_REQ_get_subject_name(request.get()), domains.front());
  X509_REQ_set_pubkey(request.get(), key);
  STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(extensions, san_extension(domains));
  X509_REQ_add_extensions(request.get(), extensions);
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  if (X509_REQ_sign(request.get(), key, EVP_sha256()) <= 0) return {};
  const int length = i2d_X509_REQ(request.get(), nullptr);
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509_REQ(request.get(), &cursor);
  return der;
}

tls::X509Ptr self_signed(EVP_PKEY* key, const std::vector<std::string>& domains,
                         std::chrono::seconds lifetime, std::string_view common_name) {
  tls::X509Ptr cert = new_certificate(key, common_name, lifetime);
  X509_EXTENSION* san = san_extension(domains);
  X509_add_ext(cert.get(), san, -1);
  X509_EXTENSION_free(san);
  X509_sign(cert.get(), key, EVP_sha256());
  return cert;
}

tls::X509Ptr tls_alpn_certificate(EVP_PKEY* key, std::string_view domain,
                                  std::string_view key_authorization) {
  tls::X509Ptr cert = new_certificate(key, "ACME challenge", std::chrono::hours(24));
  X509_EXTENSION* san = san_extension({std::string(domain)});
  X509_add_ext(cert.get(), san, -1);
  X509_EXTENSION_free(san);

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(key_authorization.data(), key_authorization.size(), digest, &length, EVP_sha256(),
             nullptr);
  // extnValue is the DER of an OCTET STRING holding the digest.
  ASN1_OCTET_STRING* inner = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(inner, digest, static_cast<int>(length));
  unsigned char* der = nullptr;
  const int der_length = i2d_ASN1_OCTET_STRING(inner, &der);
  ASN1_OCTET_STRING_free(inner);
  ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(value, der, der_length);
  OPENSSL_free(der);
  ASN1_OBJECT* oid = OBJ_txt2obj(kAcmeIdentifierOid, 1);
  X509_EXTENSION* extension = X509_EXTENSION_create_by_OBJ(nullptr, oid, 1, value);
  X509_add_ext(cert.get(), extension, -1);
  X509_EXTENSION_free(extension);
  ASN1_OBJECT_free(oid);
  ASN1_OCTET_STRING_free(value);
  X509_sign(cert.get(), key, EVP_sha256());
  return cert;
}

std::optional<StoredCertificate> read_leaf(std::string_view pem) {
  tls::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  tls::X509Ptr leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!leaf) return std::nullopt;
  const tls::CertificateInfo info = tls::describe_certificate(leaf.get(), {});
  StoredCertificate out;
  out.names = info.names;
  out.issuer = tls::one_line_name(X509_get_issuer_name(leaf.get()));
  out.not_before = info.not_before;
  out.not_after = info.not_after;
  out.self_signed = X509_check_issued(leaf.get(), leaf.get()) == X509_V_OK;
  return out;
}

}  // namespace flotilla::acme
