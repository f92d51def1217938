// ES256 JWS for ACME: base64url vectors (RFC 4648 §10), the JWK's exact form and its RFC 7638
// thumbprint, a signature that OpenSSL verifies over the signing input, and kid vs jwk headers.
#include "acme/jws.hpp"

#include <algorithm>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

namespace flotilla::acme {
namespace {

std::string unbase64url(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4 != 0) text += '=';
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n) - std::count(text.begin(), text.end(), '='));
  return out;
}

TEST(AcmeJws, Base64UrlHasNoPadding) {
  EXPECT_EQ(base64url(""), "");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("foob"), "Zm9vYg");
  EXPECT_EQ(base64url(std::string("\xfb\xff", 2)), "-_8");
}

TEST(AcmeJws, TheJwkIsCanonicalAndTheThumbprintIsItsDigest) {
  const AccountKey key = AccountKey::generate();
  const std::string jwk = key.jwk();
  EXPECT_TRUE(jwk.starts_with(R"({"crv":"P-256","kty":"EC","x":")")) << jwk;
  const nlohmann::json parsed = nlohmann::json::parse(jwk);
  EXPECT_EQ(unbase64url(parsed["x"]).size(), 32u);
  EXPECT_EQ(unbase64url(parsed["y"]).size(), 32u);
  EXPECT_EQ(key.thumbprint().size(), 43u);  // 32 bytes, unpadded
  EXPECT_EQ(key_authorization("tok", key), "tok." + key.thumbprint());
}

TEST(AcmeJws, AKeySurvivesPemAndOnlyP256IsAccepted) {
  const AccountKey key = AccountKey::generate();
  std::string error;
  const auto again = AccountKey::from_pem(key.pem(), error);
  ASSERT_TRUE(again) << error;
  EXPECT_EQ(again->thumbprint(), key.thumbprint());
  EXPECT_FALSE(AccountKey::from_pem("not a key", error));
  tls::EvpPkeyPtr rsa(EVP_RSA_gen(2048));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, rsa.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  EXPECT_FALSE(AccountKey::from_pem(std::string(data, length), error));
  EXPECT_NE(error.find("P-256"), std::string::npos) << error;
  BIO_free(bio);
}

TEST(AcmeJws, TheSignatureVerifiesAndTheHeaderCarriesJwkOrKid) {
  const AccountKey key = AccountKey::generate();
  const nlohmann::json jws =
      nlohmann::json::parse(sign_request(key, "https://ca/new-acct", "n0nce", "", "{\"a\":1}"));
  const nlohmann::json header = nlohmann::json::parse(unbase64url(jws["protected"]));
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["nonce"], "n0nce");
  EXPECT_EQ(header["url"], "https://ca/new-acct");
  EXPECT_TRUE(header.contains("jwk"));
  EXPECT_FALSE(header.contains("kid"));
  EXPECT_EQ(unbase64url(jws["payload"]), "{\"a\":1}");

  // R || S → DER, verified with the public key over "protected.payload".
  const std::string raw = unbase64url(jws["signature"]);
  ASSERT_EQ(raw.size(), 64u);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data() + 32), 32, nullptr));
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig, &der);
  const std::string input =
      jws["protected"].get<std::string>() + "." + jws["payload"].get<std::string>();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.key()), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, der, der_length,
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);

  const nlohmann::json with_kid =
      nlohmann::json::parse(sign_request(key, "https://ca/order", "n2", "https://ca/acct/1", ""));
  const nlohmann::json kid_header = nlohmann::json::parse(unbase64url(with_kid["protected"]));
  EXPECT_EQ(kid_header["kid"], "https://ca/acct/1");
  EXPECT_FALSE(kid_header.contains("jwk"));
  EXPECT_EQ(with_kid["payload"], "");  // POST-as-GET
}

}  // namespace
}  // namespace flotilla::acme
