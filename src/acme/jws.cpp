// ES256 signing for ACME requests (see jws.hpp). OpenSSL gives DER ECDSA signatures; JWS wants
// the two 32-byte integers side by side.
#include "acme/jws.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fmt/format.h>

#include "tls/error_category.hpp"

namespace flotilla::acme {
namespace {

std::string sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// A P-256 coordinate as exactly 32 big-endian bytes.
std::string coordinate(const EVP_PKEY* key, const char* name) {
  BIGNUM* value = nullptr;
  std::string out(32, '\0');
  if (EVP_PKEY_get_bn_param(key, name, &value) == 1) {
    BN_bn2binpad(value, reinterpret_cast<unsigned char*>(out.data()), 32);
  }
  BN_free(value);
  return out;
}

bool is_p256(const EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &length) != 1) {
    return false;
  }
  const std::string_view name(group, length);
  return name == "prime256v1" || name == "P-256";
}

}  // namespace

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(bytes[at]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned value = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
    out += kAlphabet[(value >> 6) & 63];
    out += kAlphabet[value & 63];
  }
  if (bytes.size() - i == 1) {
    const unsigned value = byte(i) << 16;
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    const unsigned value = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(value >> 18) & 63];
    out += kAlphabet[(value >> 12) & 63];
    out += kAlphabet[(value >> 6) & 63];
  }
  return out;
}

AccountKey AccountKey::generate() {
  return AccountKey(tls::EvpPkeyPtr(EVP_EC_gen("P-256")));
}

std::optional<AccountKey> AccountKey::from_pem(std::string_view pem, std::string& error) {
  tls::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  tls::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    error = fmt::format("not a PEM private key: {}", tls::drain_openssl_errors());
    return std::nullopt;
  }
  if (!is_p256(key.get())) {
    error = "not an ECDSA P-256 key";
    return std::nullopt;
  }
  return AccountKey(std::move(key));
}

std::string AccountKey::pem() const {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string AccountKey::jwk() const {
  return fmt::format(R"({{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}})",
                     base64url(coordinate(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X)),
                     base64url(coordinate(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y)));
}

std::string AccountKey::thumbprint() const {
  return base64url(sha256(jwk()));
}

std::string AccountKey::sign(std::string_view input) const {
  using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, tls::OpenSslDeleter<EVP_MD_CTX_free>>;
  MdCtxPtr context(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return {};
  }
  std::string der(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(der.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return {};
  }
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* signature = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(length));
  if (signature == nullptr) return {};
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(signature), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(signature), reinterpret_cast<unsigned char*>(raw.data() + 32), 32);
  ECDSA_SIG_free(signature);
  return base64url(raw);
}

std::string sign_request(const AccountKey& key, std::string_view url, std::string_view nonce,
                         std::string_view kid, std::string_view payload) {
  // The values here are URLs and nonces (base64url): nothing that needs JSON escaping but '"'
  // and '\', which RFC 3986 URLs cannot hold unencoded.
  const std::string header =
      kid.empty()
          ? fmt::format(R"({{"alg":"ES256","jwk":{},"nonce":"{}","url":"{}"}})", key.jwk(), nonce,
                        url)
          : fmt::format(R"({{"alg":"ES256","kid":"{}","nonce":"{}","url":"{}"}})", kid, nonce, url);
  const std::string protected64 = base64url(header);
  const std::string payload64 = base64url(payload);
  const std::string signature = key.sign(protected64 + "." + payload64);
  return fmt::format(R"({{"protected":"{}","payload":"{}","signature":"{}"}})", protected64,
                     payload64, signature);
}

std::string key_authorization(std::string_view token, const AccountKey& key) {
  return fmt::format("{}.{}", token, key.thumbprint());
}

}  // namespace flotilla::acme
