// Session ticket keys (RFC 5077): an immutable set of the current key (encrypts new tickets) and
// the previous one (still decrypts, and the ticket is renewed), installed per worker thread and
// read by OpenSSL's ticket callback with no lock. Never shared mutably between threads.
#pragma once

#include <array>
#include <memory>
#include <optional>

#include <openssl/ssl.h>

namespace flotilla::tls {

class TicketKeys {
 public:
  struct Key {
    std::array<unsigned char, 16> name;  // sent in the ticket; finds the key again
    std::array<unsigned char, 32> aes;   // AES-256-CBC
    std::array<unsigned char, 32> hmac;  // HMAC-SHA256
  };

  // A fresh current key from RAND_bytes; `previous`'s current key (if any) becomes the previous
  // one here, so a ticket survives exactly one rotation. nullptr only if RAND_bytes fails.
  // The control thread calls this every `ticket_key_rotation` and posts the result to workers.
  static std::shared_ptr<const TicketKeys> next(const TicketKeys* previous);

  const Key& current() const { return current_; }
  const std::optional<Key>& previous() const { return previous_; }

 private:
  TicketKeys() = default;
  Key current_{};
  std::optional<Key> previous_;
};

// Makes `keys` the ones every TLS handshake on the calling thread uses (a worker calls this on
// its own thread when the control thread posts new keys). Until a thread has keys, its servers
// issue no tickets and accept none (resumption falls back to the session cache).
void install_thread_ticket_keys(std::shared_ptr<const TicketKeys> keys);
const TicketKeys* thread_ticket_keys();

// Sets OpenSSL's ticket callback on a server context to use the calling thread's keys.
void enable_ticket_keys(SSL_CTX* context);

}  // namespace flotilla::tls
