// The TLS contexts one configuration needs — a server context per TLS listener, a client context
// per upstream with `tls:` — built on the control thread, with the files they were read from,
// so that a changed certificate can be noticed and reloaded. Built whole or not at all: a bad
// new certificate changes nothing. Never touched by a worker (they get contexts via snapshots).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/spec.hpp"
#include "tls/client_context.hpp"
#include "tls/server_context.hpp"

namespace flotilla::gateway {

struct TlsContexts {
  // Parallel to tcp_listeners(spec) / spec.upstreams; null where there is no TLS.
  std::vector<std::shared_ptr<const tls::ServerContext>> listeners;
  std::vector<std::shared_ptr<const tls::ClientContext>> upstreams;

  // Builds every context of `spec`; false (errors appended, `*this` untouched) if any fails.
  bool build(const config::Spec& spec, std::vector<std::string>& errors);
};

// Every certificate, key, OCSP and CA file `spec` names, with the time each last changed
// (file_time_type::min() when unreadable): compared between polls to notice replaced files.
struct WatchedFile {
  std::filesystem::path path;
  std::filesystem::file_time_type modified;
  friend bool operator==(const WatchedFile&, const WatchedFile&) = default;
};
std::vector<WatchedFile> tls_files(const config::Spec& spec);

}  // namespace flotilla::gateway
