// One TLS connection (one SSL*) over a non-blocking socket the caller owns and polls: handshake,
// read, write and shutdown return Want::kRead/kWrite instead of blocking, and the facts of the
// session once established. Never blocks, never closes or polls the fd, never knows HTTP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include <openssl/ssl.h>

#include "tls/error_category.hpp"
#include "tls/openssl_handles.hpp"

namespace flotilla::tls {

class ClientContext;
class ServerContext;

enum class Want : std::uint8_t { kNone, kRead, kWrite };

// `want` set: wait until the fd is readable/writable, then call the same function again (a write
// again with the same bytes). `eof`: the peer closed (close_notify or TCP FIN). `error`: the
// connection is dead — tls::category() (with OpenSSL's reason) or std::system_category().
struct Step {
  std::size_t bytes = 0;
  Want want = Want::kNone;
  bool eof = false;
  std::error_code error;
};

class Connection {
 public:
  // A server connection on `fd` (non-blocking, accepted). Keeps `context` alive: its callbacks
  // (SNI, ALPN, OCSP) run during the handshake.
  static std::unique_ptr<Connection> server(const ServerContext& context, int fd,
                                            std::error_code& error);
  // A client connection on `fd` (non-blocking, connected). `server_name`: sent as SNI and, when
  // the context verifies, the name the certificate must carry (an IP literal is matched against
  // IP SANs and not sent as SNI); empty: neither. `resume`: a session from an earlier
  // Connection::session() to the same server, or nullptr (not taken over; the caller keeps it).
  static std::unique_ptr<Connection> client(const ClientContext& context, int fd,
                                            std::string_view server_name, SSL_SESSION* resume,
                                            std::error_code& error);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  // No I/O. An established connection destroyed without shutdown() keeps its session resumable.
  ~Connection();

  Step handshake();  // bytes stays 0; error messages start "handshake failed: "
  // Up to `size` decrypted bytes. Before waiting for the fd after a read, check has_pending().
  Step read(void* data, std::size_t size);
  // May be partial (bytes < size); the rest goes in the next call.
  Step write(const void* data, std::size_t size);
  // Sends close_notify once, best effort, without waiting for the peer's; kWrite: call again.
  Step shutdown();

  bool established() const { return established_; }
  // Bytes buffered inside OpenSSL (decrypted, or raw records read ahead) that a read() can use
  // without the fd becoming readable again. A buffered partial record also counts: a read()
  // may then still answer kRead.
  bool has_pending() const;

  // Facts, valid once established(): "TLSv1.3", "TLS_AES_128_GCM_SHA256", the SNI the client sent
  // (server) or sent (client), the ALPN protocol ("" if none), whether a session was resumed.
  std::string_view version() const;
  std::string_view cipher() const;
  std::string_view sni() const;
  std::string_view alpn() const;
  bool resumed() const;
  // The peer's certificate (the client's, on a server with client_ca; the server's, on a client)
  // was presented and verified; its subject as one RFC 2253 line ("" without one).
  bool peer_verified() const;
  std::string peer_subject() const;
  // The session to offer next time (client side); nullptr until it is resumable (TLS 1.3 tickets
  // arrive after the handshake, with the first read). A TLS 1.3 session resumes once (RFC 8446
  // C.4: OpenSSL marks it used), so keep the newest connection's session, not the first one.
  SessionPtr session() const;
  // Whether this (client) connection was made from `context`: its CA, client certificate and
  // protocols. The SSL holds its SSL_CTX, so the address cannot be another context's meanwhile.
  bool made_with(const ClientContext& context) const;

  SSL* native_handle() const { return ssl_.get(); }

 private:
  Connection(SslPtr ssl, std::shared_ptr<const ServerContext> server);
  Step failure(int result, bool handshake, int saved_errno);

  SslPtr ssl_;
  std::shared_ptr<const ServerContext> server_;
  bool established_ = false;
  bool failed_ = false;
  bool shutdown_sent_ = false;
};

}  // namespace flotilla::tls
