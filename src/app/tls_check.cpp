#include "app/tls_check.hpp"

#include <algorithm>
#include <chrono>

#include "config/diagnostic.hpp"
#include "tls/inspect.hpp"

namespace flotilla::app {

bool uses_tls(const config::Spec& spec) {
  for (const config::Listener& listener : spec.listeners) {
    if (listener.tls) return true;
  }
  for (const config::Upstream& upstream : spec.upstreams) {
    if (upstream.tls) return true;
  }
  return false;
}

std::chrono::milliseconds ticket_key_rotation(const config::Spec& spec) {
  std::chrono::milliseconds shortest = std::chrono::hours(1);
  bool any = false;
  for (const config::Listener& listener : spec.listeners) {
    if (!listener.tls) continue;
    const auto rotation =
        std::chrono::duration_cast<std::chrono::milliseconds>(listener.tls->ticket_key_rotation);
    if (!any || rotation < shortest) shortest = rotation;
    any = true;
  }
  return std::max(shortest, std::chrono::milliseconds(1000));
}

TlsCheck check_tls_files(const config::Spec& spec, const std::filesystem::path& config_path) {
  TlsCheck out;
  for (const tls::CertificateProblem& problem :
       tls::inspect(spec, std::chrono::system_clock::now())) {
    config::Diagnostic diagnostic;
    diagnostic.file = config_path.string();
    diagnostic.line = problem.pos.line;
    diagnostic.column = problem.pos.column;
    diagnostic.message = problem.warning ? "warning: " + problem.message : problem.message;
    (problem.warning ? out.warnings : out.errors).push_back(config::format_diagnostic(diagnostic));
  }
  return out;
}

}  // namespace flotilla::app
