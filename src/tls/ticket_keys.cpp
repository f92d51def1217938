// Ticket keys and OpenSSL's ticket key callback over the thread's own keys (see ticket_keys.hpp).
#include "tls/ticket_keys.hpp"

#include <cstring>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace flotilla::tls {
namespace {

thread_local std::shared_ptr<const TicketKeys> t_ticket_keys;

bool fill_random(TicketKeys::Key& key) {
  return RAND_bytes(key.name.data(), static_cast<int>(key.name.size())) == 1 &&
         RAND_bytes(key.aes.data(), static_cast<int>(key.aes.size())) == 1 &&
         RAND_bytes(key.hmac.data(), static_cast<int>(key.hmac.size())) == 1;
}

bool set_hmac_key(EVP_MAC_CTX* hmac, const TicketKeys::Key& key) {
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key.hmac.data()), key.hmac.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  return EVP_MAC_CTX_set_params(hmac, params) == 1;
}

// enc = 1: encrypt a new ticket under the current key (1 = done, 0 = issue no ticket).
// enc = 0: find the key by name (1 = current, 2 = previous: accept and renew, 0 = unknown).
int ticket_key_callback(SSL*, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
                        EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* hmac, int enc) {
  const TicketKeys* keys = t_ticket_keys.get();
  if (keys == nullptr) return 0;
  const EVP_CIPHER* aes = EVP_aes_256_cbc();
  if (enc == 1) {
    const TicketKeys::Key& key = keys->current();
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(aes)) != 1) return -1;
    std::memcpy(key_name, key.name.data(), key.name.size());
    if (EVP_EncryptInit_ex(cipher, aes, nullptr, key.aes.data(), iv) != 1) return -1;
    return set_hmac_key(hmac, key) ? 1 : -1;
  }
  const TicketKeys::Key* key = nullptr;
  int found = 0;
  if (std::memcmp(key_name, keys->current().name.data(), 16) == 0) {
    key = &keys->current();
    found = 1;
  } else if (keys->previous() && std::memcmp(key_name, keys->previous()->name.data(), 16) == 0) {
    key = &*keys->previous();
    found = 2;
  }
  if (key == nullptr) return 0;
  if (EVP_DecryptInit_ex(cipher, aes, nullptr, key->aes.data(), iv) != 1) return -1;
  return set_hmac_key(hmac, *key) ? found : -1;
}

}  // namespace

std::shared_ptr<const TicketKeys> TicketKeys::next(const TicketKeys* previous) {
  std::shared_ptr<TicketKeys> keys(new TicketKeys());
  if (!fill_random(keys->current_)) return nullptr;
  if (previous != nullptr) keys->previous_ = previous->current_;
  return keys;
}

void install_thread_ticket_keys(std::shared_ptr<const TicketKeys> keys) {
  t_ticket_keys = std::move(keys);
}

const TicketKeys* thread_ticket_keys() {
  return t_ticket_keys.get();
}

void enable_ticket_keys(SSL_CTX* context) {
  SSL_CTX_set_tlsext_ticket_key_evp_cb(context, &ticket_key_callback);
}

}  // namespace flotilla::tls
