// The non-blocking TLS engine over a caller-owned fd (see connection.hpp).
#include "tls/connection.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <string>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls/certificate_info.hpp"
#include "tls/client_context.hpp"
#include "tls/error_category.hpp"
#include "tls/server_context.hpp"

namespace flotilla::tls {
namespace {

std::error_code setup_error() {
  const unsigned long packed = ERR_peek_error();
  ERR_clear_error();
  return packed != 0 ? openssl_error(packed) : make_error_code(Errc::kSetupFailed);
}

bool is_ip_literal(const std::string& host) {
  unsigned char address[16];
  return inet_pton(AF_INET, host.c_str(), address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), address) == 1;
}

SslPtr new_ssl(SSL_CTX* context, int fd, std::error_code& error) {
  ERR_clear_error();
  SslPtr ssl(SSL_new(context));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
    error = setup_error();
    return nullptr;
  }
  return ssl;
}

}  // namespace

Connection::Connection(SslPtr ssl, std::shared_ptr<const ServerContext> server)
    : ssl_(std::move(ssl)), server_(std::move(server)) {}

// OpenSSL drops the session of a connection freed without close_notify sent (from the server's
// cache, and marks it not resumable on a client). Closing a healthy connection without one is
// routine (keep-alive timeouts, clients that leave), so it is marked shut first, as nginx does;
// a connection that failed keeps OpenSSL's verdict.
Connection::~Connection() {
  if (ssl_ && established_ && !failed_) {
    SSL_set_shutdown(ssl_.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  }
}

std::unique_ptr<Connection> Connection::server(const ServerContext& context, int fd,
                                               std::error_code& error) {
  SslPtr ssl = new_ssl(context.context(), fd, error);
  if (!ssl) return nullptr;
  SSL_set_accept_state(ssl.get());
  return std::unique_ptr<Connection>(new Connection(std::move(ssl), context.shared_from_this()));
}

std::unique_ptr<Connection> Connection::client(const ClientContext& context, int fd,
                                               std::string_view server_name, SSL_SESSION* resume,
                                               std::error_code& error) {
  SslPtr ssl = new_ssl(context.context(), fd, error);
  if (!ssl) return nullptr;
  SSL_set_connect_state(ssl.get());
  const std::string name(server_name);
  if (!name.empty()) {
    const bool ip = is_ip_literal(name);
    bool ok = ip || SSL_set_tlsext_host_name(ssl.get(), name.c_str()) == 1;
    if (ok && context.settings().verify) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) == 1
              : SSL_set1_host(ssl.get(), name.c_str()) == 1;
    }
    if (!ok) {
      error = setup_error();
      return nullptr;
    }
  }
  if (resume != nullptr && SSL_set_session(ssl.get(), resume) != 1) ERR_clear_error();
  return std::unique_ptr<Connection>(new Connection(std::move(ssl), nullptr));
}

Step Connection::handshake() {
  if (established_) return {};
  if (failed_) return {.error = make_error_code(Errc::kNoHandshake, true)};
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  const int saved_errno = errno;
  if (result == 1) {
    established_ = true;
    return {};
  }
  return failure(result, true, saved_errno);
}

Step Connection::read(void* data, std::size_t size) {
  if (!established_ || failed_) return {.error = make_error_code(Errc::kNoHandshake)};
  if (size == 0) return {};
  ERR_clear_error();
  std::size_t bytes = 0;
  const int result = SSL_read_ex(ssl_.get(), data, size, &bytes);
  const int saved_errno = errno;
  if (result == 1) return {.bytes = bytes, .error = {}};
  return failure(result, false, saved_errno);
}

Step Connection::write(const void* data, std::size_t size) {
  if (!established_ || failed_) return {.error = make_error_code(Errc::kNoHandshake)};
  if (size == 0) return {};
  ERR_clear_error();
  std::size_t bytes = 0;
  const int result = SSL_write_ex(ssl_.get(), data, size, &bytes);
  const int saved_errno = errno;
  if (result == 1) return {.bytes = bytes, .error = {}};
  return failure(result, false, saved_errno);
}

Step Connection::shutdown() {
  // Nothing to close cleanly before the handshake or after a fatal error (OpenSSL would refuse).
  if (!established_ || failed_ || shutdown_sent_) return {};
  ERR_clear_error();
  const int result = SSL_shutdown(ssl_.get());
  const int saved_errno = errno;
  if (result >= 0) {
    shutdown_sent_ = true;
    return {};
  }
  Step out = failure(result, false, saved_errno);
  if (out.want == Want::kRead) return {};  // only the peer's close_notify is missing
  if (out.want == Want::kNone) shutdown_sent_ = true;
  return out;
}

Step Connection::failure(int result, bool handshake, int saved_errno) {
  Step out;
  switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_READ:
      out.want = Want::kRead;
      return out;
    case SSL_ERROR_WANT_WRITE:
      out.want = Want::kWrite;
      return out;
    case SSL_ERROR_ZERO_RETURN:  // close_notify, or a FIN (SSL_OP_IGNORE_UNEXPECTED_EOF)
      out.eof = true;
      if (handshake) {
        failed_ = true;
        out.error = make_error_code(Errc::kUnexpectedEof, true);
      }
      return out;
    case SSL_ERROR_SYSCALL:
      failed_ = true;
      if (const unsigned long packed = ERR_peek_error(); packed != 0) {
        out.error = openssl_error(packed, handshake);
      } else if (saved_errno != 0) {
        out.error = std::error_code(saved_errno, std::system_category());
      } else {
        out.eof = true;
        if (handshake) out.error = make_error_code(Errc::kUnexpectedEof, true);
      }
      break;
    default: {
      failed_ = true;
      const unsigned long packed = ERR_peek_error();
      if (ERR_GET_LIB(packed) == ERR_LIB_SSL &&
          ERR_GET_REASON(packed) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        out.error = verify_error(SSL_get_verify_result(ssl_.get()), handshake);
      } else if (packed != 0) {
        out.error = openssl_error(packed, handshake);
      } else {
        out.error = make_error_code(Errc::kSetupFailed, handshake);
      }
      break;
    }
  }
  ERR_clear_error();
  return out;
}

bool Connection::has_pending() const {
  return SSL_has_pending(ssl_.get()) == 1;
}

std::string_view Connection::version() const {
  return SSL_get_version(ssl_.get());
}

std::string_view Connection::cipher() const {
  const SSL_CIPHER* current = SSL_get_current_cipher(ssl_.get());
  return current != nullptr ? SSL_CIPHER_get_name(current) : "";
}

bool Connection::made_with(const ClientContext& context) const {
  return SSL_get_SSL_CTX(ssl_.get()) == context.context();
}

std::string_view Connection::sni() const {
  const char* name = SSL_get_servername(ssl_.get(), TLSEXT_NAMETYPE_host_name);
  return name != nullptr ? name : "";
}

std::string_view Connection::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &data, &length);
  return data != nullptr ? std::string_view(reinterpret_cast<const char*>(data), length)
                         : std::string_view{};
}

bool Connection::resumed() const {
  return SSL_session_reused(ssl_.get()) == 1;
}

bool Connection::peer_verified() const {
  return (SSL_get_verify_mode(ssl_.get()) & SSL_VERIFY_PEER) != 0 &&
         SSL_get0_peer_certificate(ssl_.get()) != nullptr &&
         SSL_get_verify_result(ssl_.get()) == X509_V_OK;
}

std::string Connection::peer_subject() const {
  const X509* peer = SSL_get0_peer_certificate(ssl_.get());
  return peer != nullptr ? one_line_name(X509_get_subject_name(peer)) : std::string{};
}

SessionPtr Connection::session() const {
  SessionPtr session(SSL_get1_session(ssl_.get()));
  if (session && SSL_SESSION_is_resumable(session.get()) != 1) return nullptr;
  return session;
}

}  // namespace flotilla::tls
