// TLS towards an upstream's endpoints: verification against the configured CA bundle or the
// system's trust store, an optional client certificate, the protocol range and client-side
// sessions. Built on the control thread, immutable afterwards, shared by every worker. Never
// does I/O after build() and never knows HTTP.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

#include "config/spec.hpp"
#include "tls/openssl_handles.hpp"

namespace flotilla::tls {

class ClientContext {
 public:
  // nullptr and `error` ("upstreams.app.tls.ca: no PEM certificate in ca /x/ca.pem") when a file
  // is unreadable or unusable, the client certificate and key do not match, or the protocol
  // list is empty. `where` prefixes every message ("upstreams.app.tls").
  static std::shared_ptr<const ClientContext> build(const config::UpstreamTls& tls,
                                                    std::string_view where, std::string& error);

  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

  SSL_CTX* context() const { return context_.get(); }
  const config::UpstreamTls& settings() const { return settings_; }

 private:
  ClientContext() = default;

  config::UpstreamTls settings_;
  SslCtxPtr context_;
};

}  // namespace flotilla::tls
