// TLS certificates as Prometheus families: expiry by certificate and source (file or ACME),
// whether an ACME renewal is failing, and ACME orders by result — from plain rows the caller
// fills (app converts the acme manager's status). Data in, view out; knows nothing of acme/.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "observe/sample.hpp"

namespace flotilla::observe {

struct CertificateSample {
  std::string name;              // the first domain (or the certificate's first name)
  std::string source;            // "acme" or "file"
  double expiry_seconds = 0;     // not_after, Unix time
  bool renewal_failing = false;  // ACME: the last order failed
  bool temporary = false;        // ACME: the self-signed stand-in is served
};

// flotilla_certificate_expiry_timestamp_seconds{name,source},
// flotilla_certificate_renewal_failing{name}, flotilla_certificate_temporary{name} and
// flotilla_acme_orders_total{result} (`orders`: result → count).
void append_certificate_metrics(MetricsView& view, std::span<const CertificateSample> certificates,
                                const std::map<std::string, std::uint64_t>& orders);

}  // namespace flotilla::observe
