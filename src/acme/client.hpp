// The RFC 8555 protocol, one order at a time, as coroutines on the control thread's executor
// over client/ (https to the ACME server): directory, nonces (badNonce retried), the account
// (newAccount with the JWK, then `kid`), newOrder, each authorization's HTTP-01 or TLS-ALPN-01
// challenge (presented through the caller's callbacks), finalize with a CSR, polling that
// respects Retry-After, and the chain download. Never blocks, never writes files, and never
// decides when to renew (manager.cpp does).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "acme/jws.hpp"
#include "client/endpoint.hpp"

namespace flotilla::tls {
class ClientContext;
}

namespace flotilla::acme {

enum class ChallengeType { kHttp01, kTlsAlpn01 };

// One challenge to answer: HTTP-01 serves `key_authorization` at
// /.well-known/acme-challenge/`token`; TLS-ALPN-01 presents a certificate for `domain`.
struct Challenge {
  ChallengeType type = ChallengeType::kHttp01;
  std::string domain;
  std::string token;
  std::string key_authorization;
};

struct OrderRequest {
  std::string directory;                          // https://host[:port]/path
  std::shared_ptr<const tls::ClientContext> tls;  // verifies the ACME server; null: system store
  std::string email;                              // empty: an account without contact
  std::vector<std::string> domains;
  ChallengeType challenge = ChallengeType::kHttp01;
  std::string certificate_key_pem;  // the certificate's key (PKCS#8 PEM)
  // The ARI ID of the certificate this order renews (RFC 9773 §5), sent as `replaces` when the
  // directory offers renewalInfo; empty: none.
  std::string replaces;
  // Called before the server is told to validate, and after the authorization ended.
  std::function<void(const Challenge&)> present;
  std::function<void(const Challenge&)> withdraw;
};

struct OrderResult {
  bool ok = false;
  std::string chain_pem;  // leaf first
  // Why not: "authorization for localhost invalid: ..."; the server's problem detail included.
  std::string error;
  // How long the server asked to wait before another try (429/503 Retry-After), 0 if it did not.
  std::chrono::seconds retry_after{0};
  int requests = 0;    // HTTP requests made (for the log)
  int bad_nonces = 0;  // badNonce answers retried
};

// Obtains one certificate. `account` signs; the account is created (or found: newAccount
// answers 200 with its URL for a known key) on every order, so a restarted ACME server or a
// lost account URL costs one request, not a failure.
asio::awaitable<OrderResult> obtain(asio::any_io_executor executor, const AccountKey& account,
                                    OrderRequest request);

// "Retry-After: 120" → 120 s; an HTTP date or junk → 0.
std::chrono::seconds parse_retry_after(const std::string* value);

// "https://host:port/a/b?c" → the endpoint and "/a/b?c"; false (and `error`) when not a URL.
bool split_url(const std::string& url, client::Endpoint& endpoint, std::string& target,
               std::string& error);

}  // namespace flotilla::acme
