// RFC 7515 JSON Web Signatures as RFC 8555 §6.2 uses them: an ES256 (ECDSA P-256) account key,
// its JWK and RFC 7638 thumbprint, and the flattened JWS of each ACME POST (`jwk` before the
// account exists, `kid` after). Pure crypto and text: never does I/O beyond reading/writing
// the key's PEM text it is handed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tls/openssl_handles.hpp"

namespace flotilla::acme {

// RFC 4648 §5 without padding.
std::string base64url(std::string_view bytes);

class AccountKey {
 public:
  // A new P-256 key.
  static AccountKey generate();
  // From PEM text (PKCS#8 or SEC1); nullopt with `error` unless it is a P-256 key.
  static std::optional<AccountKey> from_pem(std::string_view pem, std::string& error);

  std::string pem() const;  // PKCS#8, unencrypted
  // {"crv":"P-256","kty":"EC","x":"…","y":"…"}: members in lexicographic order, no spaces, so
  // it is also the thumbprint's input (RFC 7638 §3).
  std::string jwk() const;
  std::string thumbprint() const;  // base64url(SHA-256(jwk()))
  // base64url of the 64-byte R || S signature of `input` (RFC 7518 §3.4), empty on failure.
  std::string sign(std::string_view input) const;

  EVP_PKEY* key() const { return key_.get(); }

 private:
  explicit AccountKey(tls::EvpPkeyPtr key) : key_(std::move(key)) {}
  tls::EvpPkeyPtr key_;
};

// The flattened JWS JSON for a POST to `url`: protected {alg ES256, nonce, url, and `kid` when
// not empty else `jwk`}, payload base64url(`payload`) — an empty `payload` is POST-as-GET.
std::string sign_request(const AccountKey& key, std::string_view url, std::string_view nonce,
                         std::string_view kid, std::string_view payload);

// The key authorization of a challenge token (RFC 8555 §8.1).
std::string key_authorization(std::string_view token, const AccountKey& key);

}  // namespace flotilla::acme
