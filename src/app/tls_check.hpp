// The configuration's TLS files judged the same way by `check`, `up` and `reload`: problems as
// FILE:LINE:COL lines, errors apart from warnings (a certificate expiring within 30 days).
// Warnings never fail anything.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "config/spec.hpp"

namespace flotilla::app {

struct TlsCheck {
  std::vector<std::string> errors;    // "flotilla.yaml:4:9: key /k.pem does not match ..."
  std::vector<std::string> warnings;  // "flotilla.yaml:4:9: warning: certificate ... expires ..."
};

// Whether any listener or upstream speaks TLS.
bool uses_tls(const config::Spec& spec);
// The shortest ticket_key_rotation among TLS listeners (1h without any).
std::chrono::milliseconds ticket_key_rotation(const config::Spec& spec);

TlsCheck check_tls_files(const config::Spec& spec, const std::filesystem::path& config_path);

}  // namespace flotilla::app
