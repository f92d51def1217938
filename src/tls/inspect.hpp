// The TLS files of a configuration judged for `flotilla check`, `up` and `reload`: errors (what
// would make a context fail to build) and warnings (certificates expiring within 30 days), each
// at its config position. Pure of `now`; reads files but never builds a listener's context.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/spec.hpp"

namespace flotilla::tls {

inline constexpr std::chrono::hours kExpiryWarning{30 * 24};

struct CertificateProblem {
  config::SourcePos pos;  // of the certificate entry, else of the `tls:` block
  std::string message;    // "certificate /c.pem expires in 10 days, on 2026-03-01 12:00:00 UTC"
  bool warning = false;
};

// Every listener's and upstream's TLS: errors (unreadable or unparsable files, key mismatch,
// expired or not yet valid certificates, chain out of order, two certificates of one key type
// for the same names, OCSP response or CA bundle unusable, unknown ciphers or groups) and
// warnings (a certificate or intermediate expiring within kExpiryWarning, an OCSP response past
// its nextUpdate). In file order.
std::vector<CertificateProblem> inspect(const config::Spec& spec,
                                        std::chrono::system_clock::time_point now);

std::vector<CertificateProblem> inspect_listener_tls(const config::Tls& tls,
                                                     std::chrono::system_clock::time_point now);
std::vector<CertificateProblem> inspect_upstream_tls(const config::UpstreamTls& tls,
                                                     std::chrono::system_clock::time_point now);

}  // namespace flotilla::tls
