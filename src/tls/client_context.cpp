// Building the upstream TLS client context (see client_context.hpp).
#include "tls/client_context.hpp"

#include <chrono>

#include <fmt/format.h>

#include "tls/certificate_file.hpp"
#include "tls/context_settings.hpp"
#include "tls/error_category.hpp"

namespace flotilla::tls {

std::shared_ptr<const ClientContext> ClientContext::build(const config::UpstreamTls& tls,
                                                          std::string_view where,
                                                          std::string& error) {
  std::shared_ptr<ClientContext> self(new ClientContext());
  self->settings_ = tls;
  self->context_.reset(SSL_CTX_new(TLS_client_method()));
  SSL_CTX* context = self->context_.get();
  if (context == nullptr) {
    error = fmt::format("{}: {}", where, drain_openssl_errors());
    return nullptr;
  }
  apply_common_options(context);
  std::string message;
  if (!apply_protocols(context, tls.protocols, message)) {
    error = fmt::format("{}: {}", where, message);
    return nullptr;
  }

  if (tls.verify) {
    if (tls.ca) {
      auto cas = load_ca_bundle(*tls.ca, "ca", message);
      if (!cas) {
        error = fmt::format("{}.ca: {}", where, message);
        return nullptr;
      }
      X509_STORE* store = SSL_CTX_get_cert_store(context);
      for (const X509Ptr& ca : *cas) {
        if (X509_STORE_add_cert(store, ca.get()) != 1) {
          error = fmt::format("{}.ca: {}", where, drain_openssl_errors());
          return nullptr;
        }
      }
    } else if (SSL_CTX_set_default_verify_paths(context) != 1) {
      error = fmt::format("{}: cannot load the system's trust store: {}", where,
                          drain_openssl_errors());
      return nullptr;
    }
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
  }

  if (tls.client_cert || tls.client_key) {
    if (!tls.client_cert || !tls.client_key) {
      error = fmt::format("{}: client_cert and client_key go together", where);
      return nullptr;
    }
    std::optional<LoadedCertificate> loaded =
        load_certificate(*tls.client_cert, *tls.client_key, message);
    if (loaded) {
      if (message = validity_problem(*loaded, std::chrono::system_clock::now()); message.empty()) {
        message = chain_order_problem(*loaded);
      }
      if (!message.empty()) loaded.reset();
    }
    if (!loaded) {
      error = fmt::format("{}.client_cert: {}", where, message);
      return nullptr;
    }
    STACK_OF(X509)* chain = sk_X509_new_null();
    for (const X509Ptr& cert : loaded->chain) sk_X509_push(chain, cert.get());
    const int used =
        SSL_CTX_use_cert_and_key(context, loaded->leaf.get(), loaded->key.get(), chain, 1);
    sk_X509_free(chain);
    if (used != 1) {
      error = fmt::format("{}.client_cert: {}", where, drain_openssl_errors());
      return nullptr;
    }
  }

  // Sessions are taken from each connection (Connection::session()) and offered again by the
  // caller, per endpoint; OpenSSL keeps no client cache of its own.
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  return self;
}

}  // namespace flotilla::tls
