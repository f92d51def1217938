// Building a listener's server contexts and the SNI switch between them (see server_context.hpp).
#include "tls/server_context.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "tls/acme_alpn.hpp"
#include "tls/alpn.hpp"
#include "tls/certificate_file.hpp"
#include "tls/context_settings.hpp"
#include "tls/error_category.hpp"
#include "tls/ticket_keys.hpp"

namespace flotilla::tls {
namespace {

std::vector<std::string> name_set(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string_view verify_name(config::TlsVerify verify) {
  switch (verify) {
    case config::TlsVerify::none:
      return "none";
    case config::TlsVerify::optional:
      return "optional";
    case config::TlsVerify::required:
      return "required";
  }
  return "?";
}

// Sessions and tickets of one listener must not resume on another whose client verification
// differs; the digest of what decides that (not of the listener's index) survives a reload.
std::string session_id_context(const config::Tls& tls) {
  std::string identity = fmt::format("flotilla\n{}\n{}\n", verify_name(tls.verify),
                                     tls.client_ca ? tls.client_ca->string() : std::string{});
  for (const config::TlsCertificate& certificate : tls.certificates) {
    identity += certificate.cert.string();
    identity += '\n';
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(identity.data(), identity.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest),
                     std::min<unsigned int>(length, SSL_MAX_SID_CTX_LENGTH));
}

}  // namespace

ServerContext::~ServerContext() = default;

std::shared_ptr<const ServerContext> ServerContext::build(const config::Tls& tls,
                                                          std::vector<std::string> alpn,
                                                          std::string_view where,
                                                          std::string& error) {
  std::shared_ptr<ServerContext> self(new ServerContext());
  self->settings_ = tls;
  self->alpn_ = std::move(alpn);
  if (tls.certificates.empty()) {
    error = fmt::format("{}: no certificate", where);
    return nullptr;
  }
  std::string message;
  const std::optional<std::string> wire = alpn_wire_format(self->alpn_, message);
  if (!wire) {
    error = fmt::format("{}: {}", where, message);
    return nullptr;
  }
  self->alpn_wire_ = *wire;
  if (tls.verify != config::TlsVerify::none && !tls.client_ca) {
    error = fmt::format("{}: verify: {} needs client_ca", where, verify_name(tls.verify));
    return nullptr;
  }
  if (tls.client_ca) {
    auto cas = load_ca_bundle(*tls.client_ca, "client_ca", message);
    if (!cas) {
      error = fmt::format("{}.client_ca: {}", where, message);
      return nullptr;
    }
    self->client_cas_ = std::move(*cas);
  }
  self->session_id_context_ = session_id_context(tls);
  if (!self->add_certificates(where, error)) return nullptr;
  return self;
}

bool ServerContext::add_certificates(std::string_view where, std::string& error) {
  const auto now = std::chrono::system_clock::now();
  std::string message;
  for (std::size_t i = 0; i < settings_.certificates.size(); ++i) {
    const config::TlsCertificate& entry = settings_.certificates[i];
    const std::string prefix = fmt::format("{}.certificates[{}]", where, i);
    std::optional<LoadedCertificate> loaded = load_certificate(entry.cert, entry.key, message);
    if (loaded) {
      if (message = validity_problem(*loaded, now); message.empty()) {
        message = chain_order_problem(*loaded);
      }
      if (!message.empty()) loaded.reset();
    }
    if (!loaded) {
      error = fmt::format("{}: {}", prefix, message);
      return false;
    }
    std::optional<OcspStaple> staple;
    if (entry.ocsp) {
      staple = load_ocsp_staple(*entry.ocsp, loaded->leaf.get(), message);
      if (!staple) {
        error = fmt::format("{}: {}", prefix, message);
        return false;
      }
    }

    std::vector<std::string> names = name_set(loaded->info.names);
    auto found = std::find_if(sets_.begin(), sets_.end(),
                              [&](const auto& set) { return set->names == names; });
    if (found == sets_.end()) {
      auto set = std::make_unique<CertificateSet>();
      set->names = std::move(names);
      set->context.reset(SSL_CTX_new(TLS_server_method()));
      if (!set->context || !configure(set->context.get(), where, error)) {
        if (!set->context) error = fmt::format("{}: {}", where, drain_openssl_errors());
        return false;
      }
      sets_.push_back(std::move(set));
      found = sets_.end() - 1;
    }
    CertificateSet& set = **found;
    const int key_id = EVP_PKEY_get_base_id(loaded->key.get());
    const auto same_kind = std::find(set.key_ids.begin(), set.key_ids.end(), key_id);
    if (same_kind != set.key_ids.end()) {
      const std::size_t member = static_cast<std::size_t>(same_kind - set.key_ids.begin());
      // ACME: one domain's files may hold a copy of another's multi-domain certificate (kept
      // from before one certificate per domain); the same certificate twice is served once.
      if (settings_.acme && X509_cmp(set.leaves[member].get(), loaded->leaf.get()) == 0) continue;
      const std::size_t other = set.members[member];
      error = fmt::format(
          "{}: certificate {} has the same names and key type ({}) as certificates[{}]; one "
          "listener serves one certificate per key type and name set",
          prefix, entry.cert.string(), loaded->info.key_type, other);
      return false;
    }
    STACK_OF(X509)* chain = sk_X509_new_null();
    for (const X509Ptr& cert : loaded->chain) sk_X509_push(chain, cert.get());
    const int used = SSL_CTX_use_cert_and_key(set.context.get(), loaded->leaf.get(),
                                              loaded->key.get(), chain, 1);
    sk_X509_free(chain);  // OpenSSL took its own references
    if (used != 1) {
      error = fmt::format("{}: cannot use certificate {}: {}", prefix, entry.cert.string(),
                          drain_openssl_errors());
      return false;
    }
    if (staple) set.staples.emplace_back(loaded->leaf.get(), std::move(staple->der));
    set.key_ids.push_back(key_id);
    set.members.push_back(i);
    set.leaves.push_back(std::move(loaded->leaf));
    certificates_.push_back(std::move(loaded->info));
  }
  // A name two sets share goes to the first added. Files: the first listed. ACME: the set with
  // the fewest names, so a domain's own certificate wins over an older one covering several.
  std::vector<std::size_t> order(sets_.size());
  for (std::size_t index = 0; index < order.size(); ++index) order[index] = index;
  if (settings_.acme) {
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return sets_[a]->names.size() < sets_[b]->names.size();
    });
  }
  for (const std::size_t index : order) {
    CertificateSet& set = *sets_[index];
    sni_.add(index, set.names);
    if (!set.staples.empty()) enable_ocsp_stapling(set.context.get(), &set.staples);
  }
  return true;
}

bool ServerContext::configure(SSL_CTX* context, std::string_view where, std::string& error) {
  apply_common_options(context);
  SSL_CTX_set_options(context, SSL_OP_CIPHER_SERVER_PREFERENCE);
  std::string message;
  if (!apply_protocols(context, settings_.protocols, message) ||
      !apply_ciphers(context, settings_.protocols, settings_.ciphers, settings_.ciphersuites,
                     settings_.groups, message)) {
    error = fmt::format("{}: {}", where, message);
    return false;
  }

  // Resumption: a server-side cache (sessions live in the default set's context, where every
  // connection starts) and, unless turned off, stateless tickets under the thread's keys.
  if (settings_.session_cache > 0) {
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(context, static_cast<long>(settings_.session_cache));
  } else {
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  }
  const auto timeout =
      std::chrono::duration_cast<std::chrono::seconds>(settings_.session_timeout).count();
  SSL_CTX_set_timeout(context, static_cast<long>(std::max<decltype(timeout)>(timeout, 1)));
  SSL_CTX_set_session_id_context(context,
                                 reinterpret_cast<const unsigned char*>(session_id_context_.data()),
                                 static_cast<unsigned int>(session_id_context_.size()));
  if (settings_.session_tickets) {
    enable_ticket_keys(context);
  } else {
    SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
  }
  // After a TLS 1.3 handshake OpenSSL sends two tickets by default; one lets the client resume
  // (Go's crypto/tls sends one) and saves an ASN.1 encoding, an encryption and an HMAC per full
  // handshake. None when nothing could resume from it.
  const bool resumable = settings_.session_tickets || settings_.session_cache > 0;
  SSL_CTX_set_num_tickets(context, resumable ? 1 : 0);

  if (settings_.verify != config::TlsVerify::none) {
    X509_STORE* store = SSL_CTX_get_cert_store(context);
    for (const X509Ptr& ca : client_cas_) {
      if (X509_STORE_add_cert(store, ca.get()) != 1 ||
          SSL_CTX_add_client_CA(context, ca.get()) != 1) {
        error = fmt::format("{}.client_ca: {}", where, drain_openssl_errors());
        return false;
      }
    }
    int mode = SSL_VERIFY_PEER;
    if (settings_.verify == config::TlsVerify::required) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(context, mode, nullptr);
  }

  if (!alpn_wire_.empty()) enable_alpn_select(context, &alpn_wire_);
  enable_acme_alpn(context);
  SSL_CTX_set_tlsext_servername_callback(context, &ServerContext::on_server_name);
  SSL_CTX_set_tlsext_servername_arg(context, this);
  return true;
}

// Runs before OpenSSL picks the cipher and certificate, so moving the connection to another
// set's context here decides which certificates it may choose from.
int ServerContext::on_server_name(SSL* ssl, int*, void* arg) {
  const auto* self = static_cast<const ServerContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_NOACK;
  const std::optional<std::size_t> index = self->sni_.select(name);
  if (!index) return SSL_TLSEXT_ERR_OK;  // unknown names get the default set
  SSL_CTX* target = self->sets_[*index]->context.get();
  if (SSL_get_SSL_CTX(ssl) != target && SSL_set_SSL_CTX(ssl, target) == nullptr) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace flotilla::tls
