#include "gateway/tls_contexts.hpp"

#include <system_error>

#include <fmt/format.h>

#include "gateway/snapshot_builder.hpp"

namespace flotilla::gateway {

bool TlsContexts::build(const config::Spec& spec, std::vector<std::string>& errors) {
  TlsContexts next;
  bool ok = true;
  for (const config::Listener* listener : tcp_listeners(spec)) {
    const std::size_t index = static_cast<std::size_t>(listener - spec.listeners.data());
    std::shared_ptr<const tls::ServerContext> context;
    if (listener->tls) {
      std::string error;
      const std::string where = fmt::format("listen[{}].tls", index);
      // `http2: true` offers h2 first (server preference); HTTP/1.1 clients keep working.
      std::vector<std::string> alpn;
      if (listener->http2) alpn.emplace_back("h2");
      alpn.emplace_back("http/1.1");
      context = tls::ServerContext::build(*listener->tls, std::move(alpn), where, error);
      if (!context) {
        errors.push_back(error);
        ok = false;
      }
    }
    next.listeners.push_back(std::move(context));
  }
  for (const config::Upstream& upstream : spec.upstreams) {
    std::shared_ptr<const tls::ClientContext> context;
    if (upstream.tls) {
      std::string error;
      const std::string where = fmt::format("upstreams.{}.tls", upstream.name);
      context = tls::ClientContext::build(*upstream.tls, where, error);
      if (!context) {
        errors.push_back(error);
        ok = false;
      }
    }
    next.upstreams.push_back(std::move(context));
  }
  if (ok) *this = std::move(next);
  return ok;
}

std::vector<WatchedFile> tls_files(const config::Spec& spec) {
  std::vector<WatchedFile> files;
  auto watch = [&files](const std::filesystem::path& path) {
    std::error_code ec;
    auto modified = std::filesystem::last_write_time(path, ec);
    if (ec) modified = std::filesystem::file_time_type::min();
    files.push_back({path, modified});
  };
  for (const config::Listener& listener : spec.listeners) {
    if (!listener.tls) continue;
    for (const config::TlsCertificate& certificate : listener.tls->certificates) {
      watch(certificate.cert);
      watch(certificate.key);
      if (certificate.ocsp) watch(*certificate.ocsp);
    }
    if (listener.tls->client_ca) watch(*listener.tls->client_ca);
  }
  for (const config::Upstream& upstream : spec.upstreams) {
    if (!upstream.tls) continue;
    if (upstream.tls->ca) watch(*upstream.tls->ca);
    if (upstream.tls->client_cert) watch(*upstream.tls->client_cert);
    if (upstream.tls->client_key) watch(*upstream.tls->client_key);
  }
  return files;
}

}  // namespace flotilla::gateway
